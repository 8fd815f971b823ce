# shellcheck shell=bash
# Shared by scripts/bench.sh, scripts/bench-connections.sh and scripts/bench-profile.sh
# (sourced, not run). Process bookkeeping and waiting for ports come from lib/common.sh
# (everything started is stopped on exit, Ctrl-C or error); here: waiting for an idle
# machine, /proc and GC-log readings, the machine description.

# shellcheck source=scripts/lib/common.sh
. scripts/lib/common.sh
msg_prefix="error: "

# A frozen copy of the built programs under $1/app (launcher, jars, lib/), so that a
# rebuild by someone else during a long run cannot change what is measured. Prints its path.
snapshot_app() {
  local dir=$1/app m
  local jars=()
  mkdir -p "$dir/scripts"
  cp scripts/logdist "$dir/scripts/"
  for m in distributor emitter analyzer; do
    mapfile -t jars < <(ls "$m/target/"logdist-"$m"-*.jar 2>/dev/null | grep -v -e sources -e tests)
    if [ "${#jars[@]}" -eq 0 ] || [ ! -d "$m/target/lib" ]; then
      echo "error: $m is not built; run 'make build' first" >&2; exit 2
    fi
    mkdir -p "$dir/$m/target"
    cp "${jars[0]}" "$dir/$m/target/"
    cp -r "$m/target/lib" "$dir/$m/target/"
  done
  [ -f benchmarks/target/benchmarks.jar ] || { echo "error: benchmarks are not built; run 'make build' first" >&2; exit 2; }
  cp benchmarks/target/benchmarks.jar "$dir/"
  echo "$dir"
}

status_kb() { # pid field -> kB value of /proc/PID/status
  awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status" 2>/dev/null || echo 0
}

# Busy share of all CPUs over $1 seconds, in percent (from /proc/stat).
cpu_busy_pct() {
  local a b
  a=($(head -n1 /proc/stat)); sleep "$1"; b=($(head -n1 /proc/stat))
  local busy=$(( (b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8]) ))
  local idle=$(( (b[4]+b[5]) - (a[4]+a[5]) ))
  echo $(( 100 * busy / (busy + idle + 1) ))
}

# Waits (up to $1 s) until the machine is idle: under 10 % busy over 3 s. Other engineers'
# builds and tests share these two CPUs; a measurement next to one means little.
wait_quiet() {
  local limit=$1 waited=0 busy
  while :; do
    busy=$(cpu_busy_pct 3)
    [ "$busy" -lt 10 ] && { echo "bench: machine idle (${busy}% busy), load average $(cut -d' ' -f1-3 /proc/loadavg)"; return 0; }
    if [ "$waited" -ge "$limit" ]; then
      echo "bench: WARNING: the machine is still ${busy}% busy after ${limit}s; measuring anyway (see the 'other CPU' column)" >&2
      return 0
    fi
    [ "$waited" = 0 ] && echo "bench: waiting for the machine to go idle (now ${busy}% busy)..."
    sleep 2; waited=$((waited + 5))
  done
}

machine_line() {
  local cpu mem java kernel
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
  java=$(java -version 2>&1 | head -n1 | sed 's/"//g')
  kernel=$(uname -r)
  echo "$(nproc) CPUs ($cpu), $mem RAM, Linux $kernel, $java"
}

code_line() {
  local rev dirty=""
  rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  git diff --quiet HEAD -- 2>/dev/null || dirty=" plus uncommitted changes"
  echo "commit $rev$dirty"
}

# Summarises a JDK unified GC log: sets gc_count, gc_pause_ms, gc_max_pause_ms (collections
# not requested by jcmd),
# heap_peak_mb (largest heap occupancy seen before a collection, or at the end) and
# heap_max_mb (the heap's capacity). $2: heap used at the end in MB (from jstat).
gc_summary() {
  local s
  s=$(awk -v end_mb="${2:-0}" '
    /Pause (Young|Full)/ && /M->/ {
      if (match($0, /[0-9]+M->/)) { b = substr($0, RSTART, RLENGTH - 3) + 0; if (b > peak) peak = b }
      if (match($0, /\([0-9]+M\)/)) { cap = substr($0, RSTART + 1, RLENGTH - 3) + 0 }
      # Collections asked for by jcmd (the live-heap snapshot of bench-connections) are not the program pauses.
      if (/System.gc|Diagnostic Command|Heap Inspection/) next
      n++
      if (/Pause Full/) full++
      if (match($0, /[0-9.]+ms$/)) { ms = substr($0, RSTART, RLENGTH - 2) + 0; total += ms; if (ms > mx) mx = ms }
    }
    END { if (end_mb + 0 > peak) peak = end_mb + 0; printf "%d %d %.1f %.1f %d %d", n, full, total, mx, peak, cap }' "$1")
  read -r gc_count gc_full_count gc_pause_ms gc_max_pause_ms heap_peak_mb heap_max_mb <<<"$s"
}

# Heap in use now (young + old, MB), from jstat.
heap_used_mb() {
  jstat -gc "$1" 2>/dev/null | awk 'NR == 2 {printf "%d", ($3 + $4 + $6 + $8) / 1024}' || echo 0
}

# The machine's own stalls: one MachineStalls per CPU (pinned with taskset), all at once,
# on the otherwise idle machine, for $2 seconds; their lines go to $1. On a virtual
# machine the host takes CPUs away for milliseconds, which no program here can prevent;
# a recorded run says how much of that there was. 0 seconds skips it.
machine_stalls() { # output-file seconds
  local file=$1 seconds=$2 cpu pids=()
  : >"$file"
  [ "$seconds" != 0 ] || return 0
  for cpu in $(cpus_allowed); do
    # shellcheck disable=SC2086
    ${has_taskset:+taskset -c "$cpu"} java -cp "$app/benchmarks.jar" io.logdist.benchmarks.tools.MachineStalls \
      --seconds "$seconds" --label "cpu$cpu" >"$file.$cpu" 2>&1 &
    pids+=("$!"); track "$!"
  done
  wait "${pids[@]}" || true
  forget "${pids[@]}" # exited: the cleanup must not signal ids the system may hand out again
  for cpu in $(cpus_allowed); do cat "$file.$cpu" >>"$file"; rm -f "$file.$cpu"; done
}

# The CPUs this script may run on, one number a line: not always 0..nproc-1 (a cpuset of 2-3, say).
cpus_allowed() {
  local list r
  list=$(awk '/^Cpus_allowed_list:/ {print $2}' /proc/self/status 2>/dev/null)
  [ -n "$list" ] || { seq 0 $(($(nproc) - 1)); return; }
  for r in ${list//,/ }; do seq "${r%-*}" "${r#*-}"; done
}
has_taskset=$(command -v taskset >/dev/null && echo 1 || true)

# Fails at once, in one line, when a tool the script needs later is missing: better than
# minutes of measuring and then nothing written. Arguments: command:debian-package ...
need_tools() {
  local t missing=() packages=()
  for t in "$@"; do
    command -v "${t%%:*}" >/dev/null || { missing+=("${t%%:*}"); packages+=("${t#*:}"); }
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "error: $script_name needs ${missing[*]}; install it (apt-get install ${packages[*]})" >&2
    exit 2
  fi
}

# Before any measuring: HAProxy can be installed only as root.
check_haproxy_installable() {
  if ! command -v haproxy >/dev/null && [ "$(id -u)" != 0 ]; then
    echo "error: haproxy is not installed and this is not root; apt-get install haproxy (or BASELINE=0)" >&2; exit 2
  fi
}

ensure_haproxy() {
  command -v haproxy >/dev/null && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "error: haproxy is not installed and this is not root; apt-get install haproxy (or BASELINE=0)" >&2; exit 2
  fi
  echo "bench: installing haproxy from the OS packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
}

# Median of the unpaced steps' msgs/s in a LoadSweep JSONL file.
median_max() {
  jq -s '[.[] | select(.offered == 0) | .msgs_per_s] | sort | if length % 2 == 1 then .[length/2|floor] else (.[length/2-1] + .[length/2]) / 2 end' "$1"
}

# A benchmark tool's JVM (load generator, sink) with Netty's leak detector off, as
# scripts/logdist runs the programs; the caller's options follow, so a -D of theirs wins.
# An array, not a function: "${bench_java[@]}" ... & makes $! the JVM itself, whose
# listening socket wait_port looks for and which stop_pids signals.
bench_java=(java -Dio.netty.leakDetection.level=disabled)
