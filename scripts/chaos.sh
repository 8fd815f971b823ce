#!/usr/bin/env bash
# `make chaos`: four weighted analyzers, the distributor and three emitters (separate
# processes) under load for CHAOS_SECONDS, while analyzers are killed (kill -9) and
# restarted, one is stalled (SIGSTOP, then SIGCONT ~5 s later) and one flaps (killed and
# restarted every 1-2 s for ~10 s). The schedule is a pure function of CHAOS_SEED and
# CHAOS_SECONDS; each action is logged with its time to run/chaos/events.log. At the end
# the emitters drain, the distributor and the analyzers are stopped with SIGTERM, the
# audit runs (dead-letter files included) and a summary is printed: acked, lost (must be
# 0), duplicates, dead-lettered, time from each kill (stall) to the distributor's
# "analyzer aN down (stalled)" line, and each analyzer's share against its weight.
#
# Exit status: 0 when nothing was lost and everything ended cleanly; 1 when something
# acknowledged was lost, the audit failed, an emitter was left with unacknowledged
# packets, or the distributor died; 2 when it could not start.
#
# Knobs: CHAOS_SECONDS (default 60; 12 is the short version `make test` runs),
# CHAOS_SEED (default 1), CHAOS_RATE (msgs/s per emitter, default 30000), CHAOS_PORT
# (a base port: distributor on it, analyzers on +1..+4; by default each takes a free port
# in 20000-32767, kept across the analyzers' restarts), CHAOS_QUIET=1 (print
# only the summary), CHAOS_SLOW_START (default 5s; the audit ramps its expected shares to match), CHAOS_DISTRIBUTOR_FLAGS (more
# distributor flags, e.g. "--overflow reject"). Everything started here is stopped on exit, listens on 127.0.0.1
# only, and the run is bounded in time (CHAOS_SECONDS + about 70 s at worst).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/lib/common.sh
. scripts/lib/common.sh
start_fail_rc=2 # exit status 2: it could not start (see above)
stop_grace_s=5  # keeps the run bounded when the trap has to stop everything
ld=scripts/logdist
out=run/chaos
SECONDS_TOTAL=${CHAOS_SECONDS:-60}
SEED=${CHAOS_SEED:-1}
RATE=${CHAOS_RATE:-30000}
BASE_PORT=${CHAOS_PORT:-}
QUIET=${CHAOS_QUIET:-0}
EMITTERS=3
weights=(0 0.4 0.3 0.2 0.1)

fail_usage() { echo "chaos: $*" >&2; exit 2; }
[[ "$SECONDS_TOTAL" =~ ^[0-9]+$ ]] && [ "$SECONDS_TOTAL" -ge 10 ] || fail_usage "CHAOS_SECONDS=$SECONDS_TOTAL must be a whole number of seconds, at least 10"
[[ "$SEED" =~ ^[0-9]+$ ]] || fail_usage "CHAOS_SEED=$SEED must be a non-negative whole number"
[[ "$RATE" =~ ^[0-9]+$ ]] && [ "$RATE" -ge 1 ] || fail_usage "CHAOS_RATE=$RATE must be a positive whole number"
[ -z "$BASE_PORT" ] || { [[ "$BASE_PORT" =~ ^[0-9]+$ ]] && [ "$BASE_PORT" -ge 1024 ] && [ "$BASE_PORT" -le 65000 ]; } ||
  fail_usage "CHAOS_PORT=$BASE_PORT must be 1024..65000"

# The distributor's port and the analyzers' (aports[1..4]): fixed from CHAOS_PORT, else free
# ones, each chosen once so that a restarted analyzer comes back at the address the
# distributor knows.
declare -a aports
if [ -n "$BASE_PORT" ]; then
  dport=$BASE_PORT
  for i in 1 2 3 4; do aports[$i]=$((BASE_PORT + i)); done
else
  free_port; dport=$port
  for i in 1 2 3 4; do free_port; aports[$i]=$port; done
fi
aport() { echo "${aports[$1]}"; }

say() { [ "$QUIET" = 1 ] || echo "chaos: $*"; }
now_ms() { date +%s%3N; }

rm -rf "$out"; mkdir -p "$out/dead-letter"
: >"$out/events.log"

# ---------------------------------------------------------------- processes

# Every process started here is tracked (lib/common.sh) until it is reaped, for the trap.
declare -a apids # current pid of each analyzer
epids=()
dpid=

start_analyzer() {
  local i=$1
  LOGDIST_JAVA_OPTS="-Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1" \
    $ld analyzer --listen 127.0.0.1:"$(aport "$i")" --name a"$i" --quiet \
      --record "$out/a$i.rec" --report "$out/a$i.json" >>"$out/a$i.log" 2>&1 &
  apids[$i]=$!
  track "$!"
}

# ---------------------------------------------------------------- the schedule

# A 31-bit linear congruential generator: the same numbers for the same seed on every
# machine and every bash. rnd LO HI sets R to a number in LO..HI.
rng=$(( (SEED * 2654435761 + 12345) % 2147483648 ))
rnd() {
  rng=$(( (rng * 1103515245 + 12345) % 2147483648 ))
  R=$(( $1 + (rng >> 8) % ($2 - $1 + 1) ))
}

# Each analyzer has one role: the kill track alternates between two of them, one is
# stalled, one flaps; so at most three are impaired at once and one always serves.
perm=(1 2 3 4)
for i in 3 2 1; do rnd 0 "$i"; t=${perm[$i]}; perm[$i]=${perm[$R]}; perm[$R]=$t; done
kill_a=("${perm[0]}" "${perm[3]}"); stall_a=${perm[1]}; flap_a=${perm[2]}

total_ms=$((SECONDS_TOTAL * 1000))
w0=1500                                                         # chaos starts
tail_ms=$(( total_ms / 10 > 2000 ? total_ms / 10 : 2000 ))      # a calm end: all back up
w1=$((total_ms - tail_ms))                                      # chaos is over
span=$((w1 - w0))
scale=$(( total_ms >= 60000 ? 1000 : total_ms * 1000 / 60000 )) # per mille of the nominal 60 s run

events=()  # "ms action analyzer"
# Kill track: kill -9, back after 2-5 s (shorter in short runs), calm for 3-6 s, repeat.
rnd 0 1000; t=$((w0 + R)); k=0
while :; do
  rnd 2000 $((2000 + 3000 * scale / 1000)); down=$R
  [ $((t + down)) -le "$w1" ] || break
  a=${kill_a[$((k % 2))]}
  events+=("$t kill a$a" "$((t + down)) restart a$a")
  rnd 3000 $((3000 + 3000 * scale / 1000)); t=$((t + down + R)); k=$((k + 1))
done
# Stall: SIGSTOP for ~5 s (at least 3 s, longer than the distributor's 2 s link timeout).
stall_ms=$(( span * 4 / 10 < 5000 ? span * 4 / 10 : 5000 )); [ "$stall_ms" -ge 3000 ] || stall_ms=3000
rnd "$w0" $((w1 - stall_ms)); events+=("$R stall a$stall_a" "$((R + stall_ms)) resume a$stall_a")
# Flap: killed, back 0.4-0.9 s later, up for 1-2 s, again, for ~10 s.
flap_ms=$(( span * 6 / 10 < 10000 ? span * 6 / 10 : 10000 ))
rnd "$w0" $((w1 - flap_ms)); t=$R; flap_end=$((t + flap_ms))
while [ "$t" -lt "$flap_end" ]; do
  rnd 400 900; events+=("$t kill a$flap_a" "$((t + R)) restart a$flap_a"); t=$((t + R))
  rnd 1000 2000; t=$((t + R))
done
mapfile -t schedule < <(printf '%s\n' "${events[@]}" | sort -n -k1,1 -s)

log_event() { # action analyzer detail
  local ms=$1 action=$2 a=$3 detail=$4
  printf '%s %s t+%d.%03ds %s %s %s\n' "$(date +%H:%M:%S.%3N)" "$(now_ms)" $((ms / 1000)) $((ms % 1000)) \
    "$action" "$a" "$detail" >>"$out/events.log"
  say "t+$((ms / 1000)).$(( (ms % 1000) / 100 ))s  $action $a $detail"
}

perform() { # ms action aN
  local ms=$1 action=$2 a=$3 i=${3#a} p
  p=${apids[$i]}
  case "$action" in
    kill)    log_event "$ms" kill "$a" "(kill -9 pid $p)"; kill -9 "$p" 2>/dev/null || true; reap "$p" ;;
    restart) start_analyzer "$i"; log_event "$ms" restart "$a" "(pid ${apids[$i]})" ;;
    stall)   log_event "$ms" stall "$a" "(kill -STOP pid $p)"; kill -STOP "$p" 2>/dev/null || true ;;
    resume)  kill -CONT "$p" 2>/dev/null || true; log_event "$ms" resume "$a" "(kill -CONT pid $p)" ;;
    *) echo "chaos: unknown action $action" >&2; exit 2 ;;
  esac
}

# ---------------------------------------------------------------- run

if [ ! -d distributor/target/lib ] || [ ! -d emitter/target/lib ] || [ ! -d analyzer/target/lib ]; then
  fail_usage "the programs are not built; run 'make build' first"
fi

say "seed $SEED, ${SECONDS_TOTAL}s, $EMITTERS emitters x $RATE msgs/s; 4 analyzers (weights 0.4 0.3 0.2 0.1) on 127.0.0.1 ports ${aports[*]}, the distributor on $dport"
say "roles: kill -9 a${kill_a[0]} and a${kill_a[1]} in turn, stall a$stall_a, flap a$flap_a; ${#schedule[@]} actions (see $out/events.log)"
for i in 1 2 3 4; do start_analyzer "$i"; done
for i in 1 2 3 4; do wait_port "$(aport "$i")" "analyzer a$i" "$out/*.log" "${apids[$i]}"; done

# Slow start is on (returning analyzers ramp up); the audit is told, so its expected shares ramp too.
SLOW_START=${CHAOS_SLOW_START:-5s}
dflags=(--status-interval 2s --reconnect-max 1s --dead-letter "$out/dead-letter" --link-timeout 2s --slow-start "$SLOW_START")
read -r -a extra_flags <<<"${CHAOS_DISTRIBUTOR_FLAGS:-}"
dflags+=("${extra_flags[@]}")
analyzer_flags=()
for i in 1 2 3 4; do analyzer_flags+=(--analyzer "a$i=127.0.0.1:$(aport "$i")@${weights[$i]}"); done
LOGDIST_JAVA_OPTS="-Xms64m -Xmx768m" $ld distributor --listen 127.0.0.1:"$dport" "${analyzer_flags[@]}" "${dflags[@]}" \
  >"$out/distributor.log" 2>&1 &
dpid=$!; track "$dpid"
wait_port "$dport" distributor "$out/*.log" "$dpid"
echo "distributor flags: ${dflags[*]}" >"$out/flags.txt"

# The clock (t+0) starts once every emitter has packets acknowledged: JVMs start slowly on
# a busy machine, and chaos without load proves nothing. Each emitter's duration counts
# from its own start, so it gets 4 s more, and stops making packets around t+CHAOS_SECONDS.
for e in $(seq 1 $EMITTERS); do
  LOGDIST_JAVA_OPTS="-Xms32m -Xmx384m -XX:+UseSerialGC" $ld emitter --distributor 127.0.0.1:"$dport" \
    --rate "$RATE" --duration "$((SECONDS_TOTAL + 4))s" --connections 2 --priority weighted --name chaos-e$e \
    --drain-timeout 20s --report "$out/e$e.json" >"$out/e$e.log" 2>&1 &
  epids+=("$!"); track "$!"
done
flowing=0
for _ in $(seq 1 300); do
  flowing=0
  for e in $(seq 1 $EMITTERS); do if grep -q "acked [1-9]" "$out/e$e.log"; then flowing=$((flowing + 1)); fi; done
  [ "$flowing" -lt "$EMITTERS" ] || break
  sleep 0.1
done
if [ "$flowing" -lt "$EMITTERS" ]; then
  echo "chaos: only $flowing of $EMITTERS emitters got packets acknowledged within 30 s; see $out/e*.log and $out/distributor.log" >&2
  exit 2
fi
start_ms=$(now_ms)
say "traffic flowing (t+0); chaos from t+$((w0 / 1000)).$(( (w0 % 1000) / 100 ))s to t+$((w1 / 1000))s"

for line in "${schedule[@]}"; do
  read -r at action a <<<"$line"
  wait_ms=$((start_ms + at - $(now_ms)))
  if [ "$wait_ms" -gt 0 ]; then sleep "$((wait_ms / 1000)).$(printf '%03d' $((wait_ms % 1000)))"; fi
  perform "$at" "$action" "$a"
done

# The emitters stop making packets around t+CHAOS_SECONDS and drain (at most 20 s); then a bound.
emitter_failures=0
deadline=$((start_ms + total_ms + 35000))
for p in "${epids[@]}"; do
  while kill -0 "$p" 2>/dev/null && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.2; done
  if kill -0 "$p" 2>/dev/null; then
    echo "chaos: emitter pid $p did not finish in time; stopping it" >&2
    kill "$p" 2>/dev/null || true
  fi
  rc=0; wait_exit "$p" || rc=$?
  [ "$rc" -eq 0 ] || emitter_failures=$((emitter_failures + 1))
done
say "emitters done ($(( ($(now_ms) - start_ms) / 1000 ))s); stopping the distributor and the analyzers (SIGTERM)"

distributor_alive=1
kill -0 "$dpid" 2>/dev/null || distributor_alive=0
stop_grace_s=15 stop_pids "$dpid"
stop_grace_s=10 stop_pids "${apids[@]}"

# ---------------------------------------------------------------- audit and summary

audit_flags=()
for e in $(seq 1 $EMITTERS); do [ -f "$out/e$e.json" ] && audit_flags+=(--emitter-report "$out/e$e.json"); done
for i in 1 2 3 4; do audit_flags+=(--analyzer "a$i=${weights[$i]}:$out/a$i.rec"); done
audit_rc=0
$ld audit "${audit_flags[@]}" --dead-letter "$out/dead-letter" --slow-start "$SLOW_START" --json "$out/audit.json" >"$out/audit.txt" 2>&1 || audit_rc=$?

field() { # the number after "name: " in the audit's output
  sed -n "s/.*$1: \([0-9][0-9]*\).*/\1/p" "$out/audit.txt" | head -n1
}
acked=$(field acked); lost=$(field lost); dups=$(field duplicates); dead=$(field dead-lettered)

# Detection: each kill (stall) in events.log against the distributor's first
# "analyzer aN down|stalled" line for that analyzer after it, before the analyzer came back
# (the line that says how many packets it rerouted). Per action in run/chaos/detection.txt.
detection=$(awk -v detail="$out/detection.txt" '
  function tod(s,   f) { split(s, f, ":"); return int(f[1] * 3600000 + f[2] * 60000 + f[3] * 1000 + 0.5) }
  function after(t, ref) { return t < ref - 43200000 ? t + 86400000 : t }
  FNR == NR {
    if ($4 == "kill" || $4 == "stall") { n++; et[n] = tod($1); et_s[n] = $3; ea[n] = $5; ek[n] = $4; ee[n] = -1; open[$5] = n }
    else if (($4 == "restart" || $4 == "resume") && ($5 in open)) { ee[open[$5]] = tod($1); delete open[$5] }
    next
  }
  # Only a link that was up can go down with packets to reroute: lines for failed redials
  # of a link that is already down are skipped.
  # The distributor has a connection to each analyzer per event loop, each logged as
  # "analyzer aN (connection K of L) ..."; the first of them to go down is the detection.
  match($0, /analyzer a[0-9]+ (\(connection [0-9]+ of [0-9]+\) )?up/) { split(substr($0, RSTART, RLENGTH), w, " "); up[w[2]] = 1; next }
  match($0, /analyzer a[0-9]+ (\(connection [0-9]+ of [0-9]+\) )?(down|stalled)/) {
    split(substr($0, RSTART, RLENGTH), w, " ")
    if (up[w[2]]) { m++; dt[m] = tod($1); da[m] = w[2]; up[w[2]] = 0 }
  }
  END {
    for (i = 1; i <= n; i++) {
      kind = ek[i]; total[kind]++; found = "no down line before it came back (its link was not up)"
      for (j = 1; j <= m; j++) {
        if (da[j] != ea[i]) continue
        t = after(dt[j], et[i])
        if (t < et[i]) continue
        if (ee[i] >= 0 && t > after(ee[i], et[i]) + 100) break
        c = ++cnt[kind]; lat[kind, c] = t - et[i]; found = (t - et[i]) " ms"; break
      }
      printf "%s %s %s: %s\n", ek[i], ea[i], et_s[i], found > detail
    }
    split("kill stall", kinds, " ")
    for (k = 1; k <= 2; k++) {
      kind = kinds[k]; c = cnt[kind] + 0
      for (a = 2; a <= c; a++) { v = lat[kind, a]; b = a - 1; while (b >= 1 && lat[kind, b] > v) { lat[kind, b + 1] = lat[kind, b]; b-- } lat[kind, b + 1] = v }
      med = c == 0 ? "-" : (c % 2 ? lat[kind, (c + 1) / 2] : int((lat[kind, c / 2] + lat[kind, c / 2 + 1]) / 2))
      print kind, total[kind] + 0, c, med, (c == 0 ? "-" : lat[kind, c])
    }
  }' "$out/events.log" "$out/distributor.log")
read -r _ kills kills_seen kill_med kill_max <<<"$(sed -n 1p <<<"$detection")"
read -r _ stalls stalls_seen stall_med stall_max <<<"$(sed -n 2p <<<"$detection")"

status=PASS
reasons=()
if [ "$audit_rc" -ne 0 ] || [ -z "$lost" ]; then status=FAIL; reasons+=("audit exited $audit_rc (see $out/audit.txt)"); fi
if [ -n "$lost" ] && [ "$lost" != 0 ]; then status=FAIL; reasons+=("$lost acknowledged packets lost"); fi
if [ "$emitter_failures" -ne 0 ]; then status=FAIL; reasons+=("$emitter_failures emitters left packets unacknowledged (see $out/e*.log)"); fi
if [ "$distributor_alive" -ne 1 ]; then status=FAIL; reasons+=("the distributor died (see $out/distributor.log)"); fi

echo "chaos: ${SECONDS_TOTAL}s, seed $SEED, $EMITTERS emitters x $RATE msgs/s; $kills kills (kill -9), $stalls stall; distributor ${dflags[*]}"
echo "chaos: acked ${acked:-?}  lost ${lost:-?}  duplicates ${dups:-?}  dead-lettered ${dead:-?}"
echo "chaos: kill -9 -> 'analyzer aN down' line: median ${kill_med} ms, max ${kill_max} ms ($kills_seen of $kills kills; the others hit a link that was not up yet)"
echo "chaos: SIGSTOP -> 'analyzer aN stalled' line: median ${stall_med} ms, max ${stall_max} ms ($stalls_seen of $stalls stalls)"
echo "chaos: share of messages while up, against weight (audit; expected accounts for downtime):"
sed -n '/^analyzer /,/^max deviation/p' "$out/audit.txt" | { grep -v '^acked:\|^records:\|^lost:' || true; } | sed 's/^/  /'
if [ "$status" = PASS ]; then
  echo "chaos: PASS (logs, events, reports and the audit in $out/)"
  exit 0
fi
echo "chaos: FAIL: $(IFS=';'; echo "${reasons[*]}")" >&2
exit 1
