#!/usr/bin/env bash
# `make bench-connections`: many concurrent emitter connections on one distributor, each
# sending a trickle, and whether every one of them is served.
#
# Four analyzers and the distributor as in `make bench`; one `logdist emitter` process with
# --connections CONNECTIONS (each its own emitterId), paced so that each connection sends
# one packet every PACKET_INTERVAL seconds, for SECONDS. While it runs, the connections
# established on the distributor's port are counted (ss) and its RSS and heap sampled; near
# the end, a full GC gives the live heap, and Native Memory Tracking the memory outside it.
# At the end the emitter's report says how many connections (emitterIds) had at least one
# packet ACKed: the target is all of them. Appends a table to docs/benchmarks.md.
#
# Knobs: CONNECTIONS=10000 RUN_SECONDS=60 PACKET_INTERVAL=5 MSG_BYTES=128 MSGS_PER_PACKET=32
#   EMITTER_WINDOW=4 DIST_JAVA_OPTS BENCH_PORT=7300 BENCH_QUIET_WAIT=120 BENCH_DOC
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CONNECTIONS=${CONNECTIONS:-10000}
SECONDS_RUN=${RUN_SECONDS:-60}
PACKET_INTERVAL=${PACKET_INTERVAL:-5}
MSG_BYTES=${MSG_BYTES:-128}
MSGS_PER_PACKET=${MSGS_PER_PACKET:-32}
EMITTER_WINDOW=${EMITTER_WINDOW:-4}
BASE_PORT=${BENCH_PORT:-7300}
QUIET_WAIT=${BENCH_QUIET_WAIT:-120}
DOC=${BENCH_DOC:-docs/benchmarks.md}
DIST_JAVA_OPTS=${DIST_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}
ANALYZER_JAVA_OPTS=${ANALYZER_JAVA_OPTS:--Xms64m -Xmx256m -XX:+UseParallelGC}
EMITTER_JAVA_OPTS=${EMITTER_JAVA_OPTS:--Xms256m -Xmx2g -XX:+UseParallelGC}
# shellcheck source=scripts/bench/lib.sh
. scripts/bench/lib.sh
need_tools jq:jq ss:iproute2

# Every connection is a file descriptor in the distributor and in the emitter.
need=$((CONNECTIONS + 1000))
if [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
if [ "$(ulimit -n)" -lt "$need" ]; then
  echo "error: open files limit is $(ulimit -n), need $need for $CONNECTIONS connections (ulimit -n; root can raise it)" >&2
  exit 2
fi

out=run/bench-connections
rm -rf "$out"; mkdir -p "$out"
app=$(snapshot_app "$out")
ld="$app/scripts/logdist"
dport=$BASE_PORT
rate=$((CONNECTIONS * MSGS_PER_PACKET / PACKET_INTERVAL))
command_line="make bench-connections  (CONNECTIONS=$CONNECTIONS RUN_SECONDS=$SECONDS_RUN PACKET_INTERVAL=$PACKET_INTERVAL MSG_BYTES=$MSG_BYTES MSGS_PER_PACKET=$MSGS_PER_PACKET EMITTER_WINDOW=$EMITTER_WINDOW)"

wait_quiet "$QUIET_WAIT"
echo "bench-connections: machine: $(machine_line)"
apids=()
for i in 1 2 3 4; do
  LOGDIST_JAVA_OPTS="$ANALYZER_JAVA_OPTS" "$ld" analyzer --listen 127.0.0.1:$((BASE_PORT + i)) --name "a$i" --quiet \
    >"$out/a$i.log" 2>&1 &
  apids+=("$!"); track "$!"
done
for i in 1 2 3 4; do wait_port $((BASE_PORT + i)) "analyzer a$i" "$out/" "${apids[$((i - 1))]}"; done
LOGDIST_JAVA_OPTS="$DIST_JAVA_OPTS -XX:NativeMemoryTracking=summary -Xlog:gc*:file=$out/distributor-gc.log" \
  "$ld" distributor --listen 127.0.0.1:$dport \
  --analyzer a1=127.0.0.1:$((BASE_PORT + 1))@0.4 --analyzer a2=127.0.0.1:$((BASE_PORT + 2))@0.3 \
  --analyzer a3=127.0.0.1:$((BASE_PORT + 3))@0.2 --analyzer a4=127.0.0.1:$((BASE_PORT + 4))@0.1 \
  --status-interval 10s >"$out/distributor.log" 2>&1 &
dpid=$!; track "$dpid"
wait_port "$dport" distributor "$out/" "$dpid"
sleep 2
rss_idle_mb=$(( $(status_kb "$dpid" VmRSS) / 1024 ))

echo "bench-connections: $CONNECTIONS emitter connections, one ${MSGS_PER_PACKET}-message packet each every ${PACKET_INTERVAL}s ($rate msgs/s in all), ${SECONDS_RUN}s"
start_ns=$(date +%s%N)
LOGDIST_JAVA_OPTS="$EMITTER_JAVA_OPTS" "$ld" emitter --distributor 127.0.0.1:$dport --connections "$CONNECTIONS" \
  --rate "$rate" --window "$EMITTER_WINDOW" --messages-per-packet "$MSGS_PER_PACKET" --message-bytes "$MSG_BYTES" \
  --duration "${SECONDS_RUN}s" --drain-timeout 20s --quiet --report "$out/emitter.json" >"$out/emitter.log" 2>&1 &
epid=$!; track "$epid"

# Sample while it runs: established connections on the distributor's port and its RSS
# (cheap, /proc and ss); the heap only twice (jstat is a JVM of its own): the GC log has the rest.
max_est=0; all_at=""; rss_peak_kb=0; heap_peak_mb=0; cpu0=$(awk '{print $14 + $15}' "/proc/$dpid/stat")
snap_done=0
while kill -0 "$epid" 2>/dev/null; do
  est=$(ss -Htn state established "( sport = :$dport )" 2>/dev/null | wc -l)
  [ "$est" -gt "$max_est" ] && max_est=$est
  if [ -z "$all_at" ] && [ "$est" -ge "$CONNECTIONS" ]; then
    all_at=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  fi
  rss=$(status_kb "$dpid" VmRSS); [ "$rss" -gt "$rss_peak_kb" ] && rss_peak_kb=$rss
  elapsed=$(( ($(date +%s%N) - start_ns) / 1000000000 ))
  if [ "$snap_done" = 0 ] && [ "$elapsed" -ge $((SECONDS_RUN - 10)) ]; then
    # Near the end, all connections up and trickling: the live heap and native memory.
    snap_done=1
    est_at_snapshot=$est
    heap_peak_mb=$(heap_used_mb "$dpid")
    jcmd "$dpid" GC.run >/dev/null 2>&1 || true
    live_heap_mb=$(heap_used_mb "$dpid")
    jcmd "$dpid" VM.native_memory summary >"$out/distributor-nmt.txt" 2>&1 || true
    jcmd "$dpid" GC.class_histogram >"$out/distributor-histogram.txt" 2>&1 || true
  fi
  sleep 1
done
erc=0; wait_exit "$epid" || erc=$?
cpu1=$(awk '{print $14 + $15}' "/proc/$dpid/stat")
rss_hwm_mb=$(( $(status_kb "$dpid" VmHWM) / 1024 ))
end_heap=$(heap_used_mb "$dpid"); [ "${end_heap:-0}" -gt "$heap_peak_mb" ] && heap_peak_mb=$end_heap
gc_summary "$out/distributor-gc.log" "$heap_peak_mb"  # the peak also counts each collection's "before"
stop_pids "$dpid" "${apids[@]}"

served=$(jq '[.emitters[] | select(.acked_through >= 1)] | length' "$out/emitter.json")
acked=$(jq '.packets_acked' "$out/emitter.json")
sent=$(jq '.packets_sent' "$out/emitter.json")
nacked=$(jq '.packets_nacked' "$out/emitter.json")
reconnects=$(sed -n 's/.*reconnects \([0-9]*\).*/\1/p' "$out/emitter.log" | tail -n1)
nmt_total=$(awk '/^Total:/ {for (i = 1; i <= NF; i++) if ($i ~ /^committed=/) {sub("committed=", "", $i); sub("KB", "", $i); printf "%d", $i / 1024}}' "$out/distributor-nmt.txt" 2>/dev/null || true)
nmt_heap=$(awk '/Java Heap \(reserved/ {for (i = 1; i <= NF; i++) if ($i ~ /^committed=/) {sub("committed=", "", $i); sub("KB\\)?", "", $i); printf "%d", $i / 1024}}' "$out/distributor-nmt.txt" 2>/dev/null || true)
nmt_other=$(awk '/- +Other \(reserved/ {for (i = 1; i <= NF; i++) if ($i ~ /^committed=/) {sub("committed=", "", $i); sub("KB\\)?", "", $i); printf "%d", $i / 1024}}' "$out/distributor-nmt.txt" 2>/dev/null || true)
cpu_s=$(awk "BEGIN{printf \"%.1f\", ($cpu1 - $cpu0) / $(getconf CLK_TCK)}")
verdict=$([ "$served" -eq "$CONNECTIONS" ] && echo "all served" || echo "NOT all served")

{
  echo
  echo "## make bench-connections: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- Command: \`$command_line\`"
  echo "- Machine: $(machine_line)"
  echo "- Code: $(code_line)"
  echo "- Distributor JVM: \`$DIST_JAVA_OPTS -XX:NativeMemoryTracking=summary\`; one emitter process (\`$EMITTER_JAVA_OPTS\`) holds all the connections; four analyzers."
  echo
  echo "| connections | established at the distributor (most seen) | all established after | connections with ≥ 1 ACK | packets sent / ACKed / NACKed | emitter reconnects | distributor RSS idle → peak | heap used peak / live after full GC (of 512 MB) | NMT committed: total / heap / other (direct buffers) | distributor CPU |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  echo "| $CONNECTIONS | $max_est | ${all_at:-never} ms | **$served** ($verdict) | $sent / $acked / $nacked | ${reconnects:-?} | $rss_idle_mb → $rss_hwm_mb MB | $heap_peak_mb / ${live_heap_mb:-?} MB | ${nmt_total:-?} / ${nmt_heap:-?} / ${nmt_other:-?} MB | $cpu_s s |"
  echo
  echo "- Emitter exit code $erc (0: every packet ACKed). GCs $gc_count ($gc_full_count of them full), total pause $gc_pause_ms ms, longest $gc_max_pause_ms ms."
  echo "- Live heap, NMT and class histogram taken ${SECONDS_RUN}-10 s into the run with ${est_at_snapshot:-?} connections established (\`$out/distributor-nmt.txt\`, \`$out/distributor-histogram.txt\`)."
} > "$out/section.md"
cat "$out/section.md"
[ -f "$DOC" ] || printf '# Benchmarks\n\nResults of `make bench`, `make bench-jmh` and `make bench-connections`, newest last.\n' > "$DOC"
cat "$out/section.md" >> "$DOC"
echo
echo "bench-connections: appended to $DOC; logs in $out/"
[ "$served" -eq "$CONNECTIONS" ]
