#!/usr/bin/env bash
# `make bench`: end-to-end throughput and ack latency on this machine, every process on it.
#
#   1. logdist: four analyzers (weights 0.4 0.3 0.2 0.1, --quiet, no record file), the
#      distributor, and the load generator (benchmarks' tools/LoadSweep: the project's own
#      emitter, constant rate, latency from the intended send time into HdrHistogram) in
#      one warm JVM: a warm-up, MAX_RUNS unpaced runs (the maximum), the RATES sweep, then
#      HALF_RUNS runs at half the median maximum (the latency target: their median p99).
#   2. Baseline, same run: the same generator through HAProxy (TCP mode, OS package) to
#      benchmarks' tools/LdpSink, which WELCOMEs and ACKs without parsing packets: a relay
#      that does no parsing and no routing. Our maximum is reported as a ratio of its, and
#      its latency is measured at its own half maximum and at logdist's.
#      Then the generator straight into the sink at logdist's half-maximum rate: the latency
#      the machine and the instrument add before any relay does.
#
# Prints the tables and appends them, with the command, date and machine, to
# docs/benchmarks.md (BENCH_DOC). Everything it starts is stopped on exit or Ctrl-C.
#
# Knobs (environment): MSG_BYTES=128 MSGS_PER_PACKET=32 STEP_SECONDS=20 WARMUP_SECONDS=20
#   RATES="500000 1000000 2000000 3000000"  MAX_RUNS=3  HALF_RUNS=3  CONNECTIONS=4
#   BASELINE=1 (0: skip HAProxy)  SINK_ANALYZERS=0 (1: also run the distributor with
#   four no-op LdpSinks as analyzers, to separate its cost from the analyzers')
#   DIST_JAVA_OPTS (the distributor's JVM flags, default below)  DIST_ARGS (extra distributor
#   flags, e.g. "--threads 1")  BENCH_PORT=7300
#   BENCH_QUIET_WAIT=300 (seconds to wait for an idle machine first)  BENCH_DOC
#   GEN_CP_PREPEND (classes put before the load generator's jar, e.g. to try a patched emitter)
#   STALL_SECONDS=20 (the machine's own stalls, measured on the idle machine before and after
#   the run: tools/MachineStalls on each CPU; 0 skips it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

MSG_BYTES=${MSG_BYTES:-128}
MSGS_PER_PACKET=${MSGS_PER_PACKET:-32}
STEP_SECONDS=${STEP_SECONDS:-20}
WARMUP_SECONDS=${WARMUP_SECONDS:-20}
RATES=${RATES:-"500000 1000000 2000000 3000000"}
MAX_RUNS=${MAX_RUNS:-3}
HALF_RUNS=${HALF_RUNS:-3}
CONNECTIONS=${CONNECTIONS:-4}
BASELINE=${BASELINE:-1}
SINK_ANALYZERS=${SINK_ANALYZERS:-0}
BASE_PORT=${BENCH_PORT:-7300}
QUIET_WAIT=${BENCH_QUIET_WAIT:-300}
DOC=${BENCH_DOC:-docs/benchmarks.md}
STALL_SECONDS=${STALL_SECONDS:-20}
# The distributor: the 512 MB heap target as a hard limit, fixed size (no resizing during
# the run); Parallel GC (see docs/benchmarks.md: no concurrent GC threads competing for the
# two cores, cheapest barriers; the data path allocates little, so pauses are short and rare).
DIST_JAVA_OPTS_SET=${DIST_JAVA_OPTS:-}
DIST_JAVA_OPTS=${DIST_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}
ANALYZER_JAVA_OPTS=${ANALYZER_JAVA_OPTS:--Xms128m -Xmx256m -XX:+UseParallelGC}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseParallelGC}
# shellcheck source=scripts/bench/lib.sh
. scripts/bench/lib.sh
need_tools jq:jq
# The half step is half the maximum, and the report is about the half step: one of each at least.
for n in MAX_RUNS HALF_RUNS; do
  case "${!n}" in '' | *[!0-9]* | 0) echo "error: $n must be 1 or more (was '${!n}')" >&2; exit 2 ;; esac
done
[ "$BASELINE" != 1 ] || check_haproxy_installable

out=run/bench
rm -rf "$out"; mkdir -p "$out"
app=$(snapshot_app "$out")   # frozen copy of the programs: a rebuild during the run cannot change them
ld="$app/scripts/logdist"
dport=$BASE_PORT
mport=$((BASE_PORT + 80)) # the distributor's admin API: LoadSweep reads its latency histograms there
aport() { echo $((BASE_PORT + $1)); }
weights=(0 0.4 0.3 0.2 0.1)
max_csv=$(printf 'max,%.0s' $(seq 1 "$MAX_RUNS"))                   # "max,max,max,"
sweep_csv=$(echo $RATES | tr ' ' ',')                               # RATES=" " for no sweep
half_csv=$(printf 'half,%.0s' $(seq 1 "$HALF_RUNS")); half_csv=${half_csv%,}  # "half,half,half"
rates_csv="${max_csv}${sweep_csv}${sweep_csv:+,}${half_csv}"       # then the sweep, then half
command_line="make bench  (MSG_BYTES=$MSG_BYTES MSGS_PER_PACKET=$MSGS_PER_PACKET STEP_SECONDS=$STEP_SECONDS WARMUP_SECONDS=$WARMUP_SECONDS RATES=\"$RATES\" MAX_RUNS=$MAX_RUNS HALF_RUNS=$HALF_RUNS CONNECTIONS=$CONNECTIONS"
[ "$BASELINE" = 1 ] || command_line+=" BASELINE=$BASELINE"
[ "$SINK_ANALYZERS" = 0 ] || command_line+=" SINK_ANALYZERS=$SINK_ANALYZERS"
[ -z "${DIST_JAVA_OPTS_SET:-}" ] || command_line+=" DIST_JAVA_OPTS=\"$DIST_JAVA_OPTS\""
[ -z "${DIST_ARGS:-}" ] || command_line+=" DIST_ARGS=\"$DIST_ARGS\""
[ -z "${GEN_CP_PREPEND:-}" ] || command_line+=" GEN_CP_PREPEND=$GEN_CP_PREPEND"
[ "$STALL_SECONDS" = 20 ] || command_line+=" STALL_SECONDS=$STALL_SECONDS"
command_line+=")"

sweep() { # label distributor-address rates-csv watch-args...
  local label=$1 addr=$2 rates=$3; shift 3
  # shellcheck disable=SC2086
  "${bench_java[@]}" --add-exports java.base/jdk.internal.misc=ALL-UNNAMED $GEN_JAVA_OPTS -cp "${GEN_CP_PREPEND:+$GEN_CP_PREPEND:}$app/benchmarks.jar" \
    io.logdist.benchmarks.tools.LoadSweep --distributor "$addr" --rates "$rates" \
    --step "${STEP_SECONDS}s" --warmup "${WARMUP_SECONDS}s" --connections "$CONNECTIONS" \
    --message-bytes "$MSG_BYTES" --messages-per-packet "$MSGS_PER_PACKET" --clk-tck "$(getconf CLK_TCK)" \
    --label "$label" --jsonl "$out/$label.jsonl" --markdown "$out/$label.md" "$@" 2> >(tee -a "$out/$label-gen.log" >&2) &
  # In the background and waited for: a trapped TERM is then taken at once (bash holds it
  # until a foreground command ends), and the cleanup stops the generator with the rest.
  local gpid=$! rc=0
  track "$gpid"
  wait "$gpid" || rc=$?
  forget "$gpid" # exited: the cleanup must not signal an id the system may hand out again
  return "$rc"
}

start_logdist() { # analyzer kind: analyzer | sink
  local kind=$1 i
  apids=()
  for i in 1 2 3 4; do
    if [ "$kind" = sink ]; then
      # shellcheck disable=SC2086
      "${bench_java[@]}" $ANALYZER_JAVA_OPTS -cp "$app/benchmarks.jar" io.logdist.benchmarks.tools.LdpSink \
        --listen 127.0.0.1:"$(aport "$i")" >"$out/sink-a$i.log" 2>&1 &
    else
      LOGDIST_JAVA_OPTS="$ANALYZER_JAVA_OPTS" "$ld" analyzer --listen 127.0.0.1:"$(aport "$i")" --name "a$i" --quiet \
        >"$out/a$i.log" 2>&1 &
    fi
    apids+=("$!"); track "$!"
  done
  for i in 1 2 3 4; do wait_port "$(aport "$i")" "analyzer a$i" "$out/" "${apids[$((i - 1))]}"; done
  local flags=() ; for i in 1 2 3 4; do flags+=(--analyzer "a$i=127.0.0.1:$(aport "$i")@${weights[$i]}"); done
  # shellcheck disable=SC2086 # DIST_ARGS is a list of flags
  LOGDIST_JAVA_OPTS="$DIST_JAVA_OPTS -Xlog:gc*:file=$out/distributor-$kind-gc.log" \
    "$ld" distributor --listen 127.0.0.1:"$dport" --admin 127.0.0.1:"$mport" "${flags[@]}" --status-interval 0 ${DIST_ARGS:-} \
    >"$out/distributor-$kind.log" 2>&1 &
  dpid=$!; track "$dpid"
  wait_port "$dport" distributor "$out/" "$dpid"
  wait_port "$mport" "distributor admin" "$out/" "$dpid"
  sleep 2 # the links dial and say HELLO
}

stop_logdist() { # kind
  local kind=$1 used
  dist_hwm_kb=$(status_kb "$dpid" VmHWM)
  used=$(heap_used_mb "$dpid")
  jcmd "$dpid" GC.heap_info >"$out/distributor-$kind-heap.txt" 2>&1 || true
  stop_pids "$dpid" "${apids[@]}"
  # sets gc_count gc_full_count gc_pause_ms gc_max_pause_ms heap_peak_mb heap_max_mb
  gc_summary "$out/distributor-$kind-gc.log" "$used"
}

wait_quiet "$QUIET_WAIT"
echo "bench: machine: $(machine_line)"
echo "bench: the machine's own stalls, before the run (one thread spinning on each CPU, $STALL_SECONDS s)"
machine_stalls "$out/stalls-before.txt" "$STALL_SECONDS"; sed 's/^/bench:   /' "$out/stalls-before.txt"
echo "bench: logdist end to end: 4 analyzers, distributor, load generator ($CONNECTIONS connections, $MSGS_PER_PACKET x $MSG_BYTES-byte messages per packet)"
start_logdist analyzer
sweep logdist "127.0.0.1:$dport" "$rates_csv" --metrics "http://127.0.0.1:$mport/metrics" \
  --watch "distributor=$dpid" --watch "analyzers=$(IFS=+; echo "${apids[*]}")" --cost-of distributor
stop_logdist analyzer
logdist_gc="GCs: $gc_count ($gc_full_count of them full), total pause $gc_pause_ms ms, longest $gc_max_pause_ms ms; heap used at most $heap_peak_mb MB of $heap_max_mb MB"
logdist_hwm_mb=$((dist_hwm_kb / 1024))

if [ "$SINK_ANALYZERS" = 1 ]; then
  echo "bench: logdist with four no-op sinks (LdpSink) as analyzers"
  start_logdist sink
  sweep logdist-sinks "127.0.0.1:$dport" "${max_csv}half" --metrics "http://127.0.0.1:$mport/metrics" \
    --watch "distributor=$dpid" --watch "sinks=$(IFS=+; echo "${apids[*]}")" --cost-of distributor
  stop_logdist sink
fi

if [ "$BASELINE" = 1 ]; then
  ensure_haproxy
  echo "bench: baseline: the same generator through HAProxy (TCP mode) to LdpSink"
  sink_port=$((BASE_PORT + 90)); relay_port=$((BASE_PORT + 91))
  # shellcheck disable=SC2086
  "${bench_java[@]}" $ANALYZER_JAVA_OPTS -cp "$app/benchmarks.jar" io.logdist.benchmarks.tools.LdpSink \
    --listen 127.0.0.1:$sink_port >"$out/sink.log" 2>&1 &
  spid=$!; track "$spid"
  wait_port "$sink_port" sink "$out/" "$spid"
  BENCH_RELAY_BIND=127.0.0.1:$relay_port BENCH_SINK=127.0.0.1:$sink_port \
    haproxy -db -f scripts/bench/haproxy.cfg >"$out/haproxy.log" 2>&1 &
  hpid=$!; track "$hpid"
  wait_port "$relay_port" haproxy "$out/" "$hpid"
  # HAProxy at its own half maximum, then at logdist's (the same load as our latency step):
  # what a relay that does no parsing and no routing achieves at that rate on this machine.
  our_half=$(jq -r 'select(.offered_label=="half") | .offered' "$out/logdist.jsonl" | head -n1)
  sweep haproxy "127.0.0.1:$relay_port" "${max_csv}half,$our_half" \
    --watch "haproxy=$hpid" --watch "sink=$spid" --cost-of haproxy
  stop_pids "$hpid"
  # The instrument's own floor: the generator straight into the sink, no relay, at the rate
  # of our latency step. What it shows is latency the machine adds before any relay does.
  echo "bench: floor: the same generator straight to LdpSink (no relay) at $our_half msgs/s"
  sweep direct "127.0.0.1:$sink_port" "$our_half" --watch "sink=$spid"
  stop_pids "$spid"
fi

echo "bench: the machine's own stalls, after the run"
machine_stalls "$out/stalls-after.txt" "$STALL_SECONDS"; sed 's/^/bench:   /' "$out/stalls-after.txt"

# ---------------------------------------------------------------- report
ours=$(median_max "$out/logdist.jsonl")
# The half-maximum steps: the run with the median p99 speaks for them (one 20 s step's p99
# can differ from the next one's by 2x), with the range of all of them.
half=$(jq -s -r '[.[] | select(.offered_label=="half")] | sort_by(.latency_us.p99) as $h | $h[(($h|length)-1)/2|floor] as $m
  | "p99 \($m.latency_us.p99/1000) ms, the median of \($h|length) runs (range \($h[0].latency_us.p99/1000) .. \($h[-1].latency_us.p99/1000) ms); in that run p50 \($m.latency_us.p50/1000) ms, p99.9 \($m.latency_us.p999/1000) ms, generator send lag p99 \($m.send_lag_us.p99/1000) ms, inside the distributor p99 \($m.in_distributor_p99_ms // "-") ms (analyzer round trip \($m.analyzer_round_trip_p99_ms // "-") ms), at \($m.offered) msgs/s offered, \($m.msgs_per_s|floor) achieved"' "$out/logdist.jsonl")
half_p99_ms=$(jq -s -r '[.[] | select(.offered_label=="half") | .latency_us.p99] | sort | .[((length)-1)/2|floor] / 1000' "$out/logdist.jsonl")
{
  echo
  echo "## make bench: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- Command: \`$command_line\`"
  echo "- Machine: $(machine_line)"
  echo "- Code: $(code_line)"
  echo "- Distributor JVM: \`$DIST_JAVA_OPTS\`; analyzers: \`$ANALYZER_JAVA_OPTS\`; load generator: \`$GEN_JAVA_OPTS\`"
  echo "- All processes share the machine's $(nproc) CPUs. Each step runs ${STEP_SECONDS} s; throughput and CPU exclude its first 2 s;"
  echo "  latency (ACK time minus the packet's intended send time) covers the whole step. CPU % is of one CPU (200 % = both);"
  echo "  \"kernel threads\" is ksoftirqd and the like; \"other\" is CPU used by anything else on the machine during the step (another engineer's build"
  echo "  or test): a step with more than 10 % there is run again once the machine is quiet (up to twice); \"disturbed\" marks one that never got a quiet machine."
  if [ -s "$out/stalls-before.txt" ]; then
    echo "- The machine's own stalls (\`MachineStalls\`: one thread spinning on the clock on each CPU, $STALL_SECONDS s, idle machine): gaps in"
    echo "  which the CPU was taken away; \"beyond 2 ms\" is the share of time a packet needing that CPU would wait over 2 ms with nothing else running."
    sed 's/^/  - before: /' "$out/stalls-before.txt"
    sed 's/^/  - after: /' "$out/stalls-after.txt"
  fi
  echo
  cat "$out/logdist.md"
  echo
  echo "- Distributor: peak RSS (VmHWM) $logdist_hwm_mb MB; $logdist_gc (from \`-Xlog:gc\`)."
  echo "- At half the maximum: $half (target: p99 at most 2 ms)."
  if [ "$SINK_ANALYZERS" = 1 ]; then
    echo
    echo "Same distributor with four no-op \`LdpSink\`s as analyzers (no CRC check, no counting): the distributor's own limit."
    echo
    cat "$out/logdist-sinks.md"
  fi
  if [ "$BASELINE" = 1 ]; then
    theirs=$(median_max "$out/haproxy.jsonl")
    echo
    echo "Baseline: the same load generator through HAProxy $(haproxy -v 2>/dev/null | head -n1 | awk '{print $3}') (\`scripts/bench/haproxy.cfg\`, TCP mode) to \`LdpSink\`."
    echo
    cat "$out/haproxy.md"
    echo
    echo "- logdist / HAProxy maximum: $(awk "BEGIN{printf \"%.0f / %.0f = %.2f\", $ours, $theirs, $ours/$theirs}")"
    echo "- HAProxy at logdist's half-maximum rate ($our_half msgs/s): $(jq -r --argjson r "$our_half" 'select(.offered==$r and .offered_label!="half") | "p99 \(.latency_us.p99/1000) ms, p50 \(.latency_us.p50/1000) ms"' "$out/haproxy.jsonl" | head -n1) (logdist: the half-maximum line above)"
    echo
    echo "Floor of the instrument: the same generator straight to the same \`LdpSink\`, no relay, at the rate of logdist's half-maximum step."
    echo
    cat "$out/direct.md"
  fi
} > "$out/section.md"
cat "$out/section.md"
[ -f "$DOC" ] || printf '# Benchmarks\n\nResults of `make bench`, `make bench-jmh` and `make bench-connections`, newest last.\n' > "$DOC"
cat "$out/section.md" >> "$DOC"
echo
echo "bench: appended to $DOC; logs in $out/"
echo "bench: maximum (median) $(printf '%.0f' "$ours") msgs/s (target 2,000,000); p99 at half of it ${half_p99_ms} ms, median of $HALF_RUNS runs (target 2 ms)"
