#!/usr/bin/env bash
# Where the distributor's (or the load generator's) time and allocations go, under the load
# of `make bench`.
#
# Same set-up as scripts/bench.sh (four analyzers, the distributor, LoadSweep); after the
# warm-up, one step at RATE (0 = unpaced) during which the TARGET process is profiled, first
#   - JFR (jcmd JFR.start, settings=profile, PROFILE_SECONDS): allocation per message from
#     jdk.ThreadAllocationStatistics, the top allocation sites (jdk.ObjectAllocationSample);
# then, 6 s later (starting JFR makes C2 recompile hot code for a few seconds),
#   - perf (if installed, PROFILE_SECONDS): CPU samples of the process's threads, kernel and
#     Java, Java frames named through the perf map the JVM writes at exit (DumpPerfMapAtExit).
# Prints a summary; raw files stay in run/bench-profile/. Not part of `make bench`.
#
# Knobs: TARGET=distributor|generator (the load generator: what pacing costs)
#   RATE=0  PROFILE_SECONDS=20  WARMUP_SECONDS=15  MSG_BYTES=128  MSGS_PER_PACKET=32
#   CONNECTIONS=4  ANALYZERS=analyzer|sink  DIST_JAVA_OPTS  BENCH_PORT=7300  TOP=25
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

TARGET=${TARGET:-distributor}
RATE=${RATE:-0}
PROFILE_SECONDS=${PROFILE_SECONDS:-20}
WARMUP_SECONDS=${WARMUP_SECONDS:-15}
MSG_BYTES=${MSG_BYTES:-128}
MSGS_PER_PACKET=${MSGS_PER_PACKET:-32}
CONNECTIONS=${CONNECTIONS:-4}
ANALYZERS=${ANALYZERS:-analyzer}
BASE_PORT=${BENCH_PORT:-7300}
TOP=${TOP:-25}
DIST_JAVA_OPTS=${DIST_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}
ANALYZER_JAVA_OPTS=${ANALYZER_JAVA_OPTS:--Xms128m -Xmx256m -XX:+UseParallelGC}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseParallelGC}
# shellcheck source=scripts/bench/lib.sh
. scripts/bench/lib.sh
need_tools jq:jq

out=run/bench-profile
rm -rf "$out"; mkdir -p "$out"
app=$(snapshot_app "$out")
ld="$app/scripts/logdist"
dport=$BASE_PORT
weights=(0 0.4 0.3 0.2 0.1)

wait_quiet "${BENCH_QUIET_WAIT:-120}"
apids=()
for i in 1 2 3 4; do
  if [ "$ANALYZERS" = sink ]; then
    # shellcheck disable=SC2086
    "${bench_java[@]}" $ANALYZER_JAVA_OPTS -cp "$app/benchmarks.jar" io.logdist.benchmarks.tools.LdpSink \
      --listen 127.0.0.1:$((BASE_PORT + i)) >"$out/a$i.log" 2>&1 &
  else
    LOGDIST_JAVA_OPTS="$ANALYZER_JAVA_OPTS" "$ld" analyzer --listen 127.0.0.1:$((BASE_PORT + i)) --name "a$i" --quiet \
      >"$out/a$i.log" 2>&1 &
  fi
  apids+=("$!"); track "$!"
done
for i in 1 2 3 4; do wait_port $((BASE_PORT + i)) "analyzer a$i" "$out/" "${apids[$((i - 1))]}"; done
flags=(); for i in 1 2 3 4; do flags+=(--analyzer "a$i=127.0.0.1:$((BASE_PORT + i))@${weights[$i]}"); done
LOGDIST_JAVA_OPTS="$DIST_JAVA_OPTS -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer" \
  "$ld" distributor --listen 127.0.0.1:$dport "${flags[@]}" --status-interval 0 >"$out/distributor.log" 2>&1 &
dpid=$!; track "$dpid"
wait_port "$dport" distributor "$out/" "$dpid"
sleep 2

perf_opts="-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer"
[ "$TARGET" = generator ] && GEN_JAVA_OPTS="$GEN_JAVA_OPTS $perf_opts"
# shellcheck disable=SC2086
"${bench_java[@]}" --add-exports java.base/jdk.internal.misc=ALL-UNNAMED $GEN_JAVA_OPTS -cp "${GEN_CP_PREPEND:+$GEN_CP_PREPEND:}$app/benchmarks.jar" \
  io.logdist.benchmarks.tools.LoadSweep --distributor 127.0.0.1:$dport --rates "$([ "$RATE" = 0 ] && echo max || echo "$RATE")" \
  --step "$((2 * PROFILE_SECONDS + 12))s" --warmup "${WARMUP_SECONDS}s" --connections "$CONNECTIONS" \
  --message-bytes "$MSG_BYTES" --messages-per-packet "$MSGS_PER_PACKET" --clk-tck "$(getconf CLK_TCK)" \
  --watch "distributor=$dpid" --watch "analyzers=$(IFS=+; echo "${apids[*]}")" --cost-of distributor --label profile --jsonl "$out/step.jsonl" >"$out/sweep.log" 2>&1 &
gpid=$!; track "$gpid"
until grep -q '^| run' "$out/sweep.log" 2>/dev/null; do
  kill -0 "$gpid" 2>/dev/null || { echo "error: the load generator stopped; see $out/sweep.log" >&2; exit 1; }
  sleep 0.2
done
sleep 2
target_pid=$([ "$TARGET" = generator ] && echo "$gpid" || echo "$dpid")
echo "bench-profile: profiling the $TARGET for ${PROFILE_SECONDS}s at $([ "$RATE" = 0 ] && echo "full speed" || echo "$RATE msgs/s")"
# JFR first, perf after it: starting a recording makes C2 recompile the hot methods (seen as a
# burst of compilations right after JFR.start), which must not land in the CPU profile.
jcmd "$target_pid" JFR.start name=profile settings=profile filename="$root/$out/$TARGET.jfr" duration="${PROFILE_SECONDS}s" >/dev/null
sleep "$((PROFILE_SECONDS + 6))"
have_perf=0
if command -v perf >/dev/null && perf record -e cpu-clock -o /dev/null -- true >/dev/null 2>&1; then
  have_perf=1
  perf record -e cpu-clock -F 997 -g -p "$target_pid" -o "$out/perf.data" -- sleep "$PROFILE_SECONDS" >/dev/null 2>&1
fi
wait_exit "$gpid" || true
sleep 1
stop_pids "$dpid" "${apids[@]}"   # the distributor writes /tmp/perf-PID.map as it exits

echo
cat "$out/sweep.log" | grep '^|' || true
echo
# ---------------------------------------------------------------- allocation (JFR)
set +o pipefail  # head closing a pipe early is fine from here on
jfr print --json --events jdk.ThreadAllocationStatistics "$out/$TARGET.jfr" >"$out/alloc-stats.json"
jfr print --json --events jdk.ObjectAllocationSample --stack-depth 16 "$out/$TARGET.jfr" >"$out/alloc-samples.json"
msgs_per_s=$(jq '.msgs_per_s' "$out/step.jsonl")
jq -r --argjson mps "$msgs_per_s" '
  def ts: (sub("\\.[0-9]+"; "") | fromdateiso8601) + ((capture("\\.(?<f>[0-9]+)").f // "0") | ("0." + .) | tonumber);
  [.recording.events[] | {t: (.values.startTime | ts), thread: .values.thread.javaName, a: .values.allocated}
   | select(.thread != null and (.thread | startswith("ldp-") or startswith("emitter-io")))]
  | group_by(.thread)
  | map({bytes: ((max_by(.t).a) - (min_by(.t).a)), secs: ((max_by(.t).t) - (min_by(.t).t))})
  | (map(.bytes) | add) as $b | (map(.secs) | max) as $s
  | "event-loop threads allocated \($b / 1048576 | floor) MB in \($s * 10 | floor / 10) s: \($b / $s / 1048576 * 10 | floor / 10) MB/s, \(if $mps > 0 then ($b / $s / $mps * 10 | floor / 10) else "?" end) bytes per message at \($mps | floor) msgs/s"' \
  "$out/alloc-stats.json" | tee "$out/summary.txt"
echo "top allocation sites (JFR samples, weight = estimated bytes):" | tee -a "$out/summary.txt"
jq -r '
  [.recording.events[] | .values as $v
   | {w: $v.weight, cls: $v.objectClass.name,
      site: ([$v.stackTrace.frames[]? | "\(.method.type.name | split(".") | last).\(.method.name):\(.lineNumber)"] | .[0:6] | join(" < "))}]
  | group_by(.cls + " " + .site) | map({w: (map(.w) | add), cls: .[0].cls, site: .[0].site})
  | sort_by(-.w) | .[0:12][] | "  \(.w / 1048576 | floor) MB  \(.cls)  \(.site)"' "$out/alloc-samples.json" | tee -a "$out/summary.txt"

# ---------------------------------------------------------------- CPU (perf)
if [ "$have_perf" = 1 ]; then
  echo | tee -a "$out/summary.txt"
  echo "CPU of the $TARGET by thread (perf, cpu-clock):" | tee -a "$out/summary.txt"
  perf report -i "$out/perf.data" --stdio --no-children --sort comm -g none 2>/dev/null \
    | grep -E '^ +[0-9.]+%' | head -n 8 | tee -a "$out/summary.txt"
  echo "kernel vs user (perf):" | tee -a "$out/summary.txt"
  perf report -i "$out/perf.data" --stdio --no-children --sort dso -g none 2>/dev/null \
    | grep -E '^ +[0-9.]+%' | head -n 6 | tee -a "$out/summary.txt"
  echo "top $TOP symbols (self time):" | tee -a "$out/summary.txt"
  perf report -i "$out/perf.data" --stdio --no-children --sort sym -g none 2>/dev/null \
    | grep -E '^ +[0-9.]+%' | head -n "$TOP" | tee -a "$out/summary.txt"
  perf report -i "$out/perf.data" --stdio --children --sort sym -g none 2>/dev/null \
    | grep -E '^ +[0-9.]+%' | head -n 60 >"$out/perf-inclusive.txt" || true
  echo "(inclusive times: $out/perf-inclusive.txt; call graphs: perf report -i $out/perf.data)" | tee -a "$out/summary.txt"
fi
