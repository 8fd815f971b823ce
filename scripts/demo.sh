#!/usr/bin/env bash
# The local demo behind `make run`: four weighted analyzers, the distributor and an
# emitter for about 20 seconds. Analyzer 3 is killed (kill -9) a third of the way in and
# brought back at two thirds. At the end the audit merges the emitter's report with what
# the analyzers recorded and prints each analyzer's share against its weight, and
# acked / lost / duplicates. Everything printed is computed from those files.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/lib/common.sh
. scripts/lib/common.sh
port_wait_s=10
ld=scripts/logdist
out=run/demo
DURATION=${DEMO_SECONDS:-20}
RATE=${DEMO_RATE:-100000}
WARMUP=${DEMO_WARMUP_SECONDS:-3}
BASE_PORT=${DEMO_PORT:-7100}
dport=$((BASE_PORT))
aport() { echo $((BASE_PORT + $1)); }
weights=(0 0.4 0.3 0.2 0.1)

rm -rf "$out"; mkdir -p "$out"

start_analyzer() {
  local i=$1
  LOGDIST_JAVA_OPTS="-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1" \
    $ld analyzer --listen 127.0.0.1:"$(aport "$i")" --name a"$i" --quiet \
      --record "$out/a$i.rec" --report "$out/a$i.json" >>"$out/a$i.log" 2>&1 &
  apids[$i]=$!
  track "$!"
}

echo "demo: starting 4 analyzers (weights 0.4 0.3 0.2 0.1) and the distributor on 127.0.0.1:$dport"
declare -a apids
for i in 1 2 3 4; do start_analyzer "$i"; done
for i in 1 2 3 4; do wait_port "$(aport "$i")" "analyzer a$i" "$out/*.log" "${apids[$i]}"; done

analyzer_flags=()
for i in 1 2 3 4; do analyzer_flags+=(--analyzer "a$i=127.0.0.1:$(aport "$i")@${weights[$i]}"); done
# Slow start is off here so the returning a3 takes its full weight at once and the audit's
# expected shares (full weight whenever up) are the right yardstick; make chaos shows it on.
LOGDIST_JAVA_OPTS="-Xmx512m" $ld distributor --listen 127.0.0.1:"$dport" --admin 127.0.0.1:$((BASE_PORT + 80)) \
  "${analyzer_flags[@]}" --status-interval 2s --reconnect-max 1s \
  --slow-start 0 >"$out/distributor.log" 2>&1 &
dpid=$!; track "$dpid"
wait_port "$dport" distributor "$out/*.log" "$dpid"

# Six cold JVMs on this machine run the data path interpreted for their first second or
# two, which puts hundreds of milliseconds into the first packets' ACKs. A warm-up run
# (audited with the rest) keeps that out of the latency the demo shows.
reports=(--emitter-report "$out/emitter.json")
if [ "$WARMUP" != 0 ]; then
  echo "demo: warming up for ${WARMUP}s at $RATE msgs/s (the JVMs compile the data path; audited, not in the latency below)"
  LOGDIST_JAVA_OPTS="-Xmx512m" $ld emitter --distributor 127.0.0.1:"$dport" --rate "$RATE" --duration "${WARMUP}s" \
    --connections 4 --quiet --report "$out/warmup.json" >"$out/warmup.log" 2>&1 \
    || { echo "demo: the warm-up emitter failed (see $out/warmup.log)"; exit 1; }
  reports+=(--emitter-report "$out/warmup.json")
fi

echo "demo: emitter sending $RATE msgs/s for ${DURATION}s (4 connections, 32 x 128-byte messages per packet)"
LOGDIST_JAVA_OPTS="-Xmx512m" $ld emitter --distributor 127.0.0.1:"$dport" --rate "$RATE" --duration "${DURATION}s" \
  --connections 4 --priority weighted --report "$out/emitter.json" >"$out/emitter.log" 2>&1 &
epid=$!; track "$epid"

third=$(awk "BEGIN{print $DURATION/3}")
sleep "$third"
echo "demo: t=${third}s  kill -9 analyzer a3"
kill -9 "${apids[3]}" 2>/dev/null || true
reap "${apids[3]}"
sleep "$third"
echo "demo: t=$(awk "BEGIN{print 2*$DURATION/3}")s  restarting analyzer a3"
start_analyzer 3

erc=0; wait_exit "$epid" || erc=$?
tail -n 12 "$out/emitter.log" | sed 's/^/  /'
[ "$erc" -eq 0 ] || echo "demo: the emitter exited with $erc (see $out/emitter.log)"

echo "demo: distributor said:"
grep -E "down|up at|rerouted" "$out/distributor.log" | sed 's/^/  /' | tail -n 8 || true

# Stop analyzers cleanly so their last reports are written, then the distributor.
stop_pids "${apids[@]}" "$dpid"

audit_flags=()
for i in 1 2 3 4; do audit_flags+=(--analyzer "a$i=${weights[$i]}:$out/a$i.rec"); done
echo
echo "demo: audit (expected share accounts for the time each analyzer was up)"
$ld audit "${reports[@]}" "${audit_flags[@]}" --json "$out/audit.json"
