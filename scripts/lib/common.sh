# shellcheck shell=bash
# Sourced, not run, by every script that starts logdist processes: demo.sh, chaos.sh,
# test-ui.sh, and the benchmarks through bench/lib.sh. Sourcing it installs the traps:
# whatever the script tracks is stopped when it exits, fails or is interrupted (Ctrl-C or
# SIGTERM: a line on stderr, then exit status 130).
#
# A script tracks each process it starts (track $!) and may stop some itself (stop_pids),
# or reap one it killed (reap); a reaped process is forgotten, so that the exit trap never
# signals a process id the system has since given to another process.
#
# Settings, each with its default; a script changes them after sourcing:
script_name=$(basename "$0" .sh)
msg_prefix="$script_name: " # starts wait_port's error lines (the benchmarks use "error: ")
port_wait_s=15              # how long wait_port waits for a port to accept connections
start_fail_rc=1             # wait_port's exit status when a process does not come up
stop_grace_s=10             # how long stop_pids gives processes after SIGTERM before SIGKILL

started=()
track() { started+=("$1"); }

# Stops tracking a process, without signalling it.
forget() {
  local keep=() q
  for q in "${started[@]+"${started[@]}"}"; do
    case " $* " in *" $q "*) ;; *) keep+=("$q") ;; esac
  done
  started=("${keep[@]+"${keep[@]}"}")
}

# Waits for a tracked process to exit, forgets it and returns its exit status:
#   rc=0; wait_exit "$pid" || rc=$?
wait_exit() { local rc=0; wait "$1" 2>/dev/null || rc=$?; forget "$1"; return "$rc"; }

# Collects the exit of a process known to be gone or going (kill -9) and forgets it.
reap() { wait_exit "$1" || true; }

# Stops the given processes: SIGCONT (a stopped one could not act on what follows), SIGTERM,
# up to stop_grace_s seconds to exit (the JVMs run their shutdown hooks and write their
# reports), then SIGKILL; reaps and forgets them.
stop_pids() {
  local p alive
  for p in "$@"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 $((stop_grace_s * 10))); do
    alive=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in "$@"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "$@"; do reap "$p"; done
}

# Stops everything still tracked, the newest first: emitters and the distributor are
# signalled before the analyzers they feed.
# Then removes the scratch paths given to remove_on_exit.
scratch=()
remove_on_exit() { scratch+=("$@"); }
cleanup() {
  trap - EXIT INT TERM
  local newest_first=() i
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do newest_first+=("${started[$i]}"); done
  if [ "${#newest_first[@]}" -gt 0 ]; then stop_pids "${newest_first[@]}"; fi
  if [ "${#scratch[@]}" -gt 0 ]; then rm -rf "${scratch[@]}"; fi
}
trap cleanup EXIT
trap 'echo "$script_name: interrupted; stopping everything it started" >&2; exit 130' INT TERM

# True when something accepts connections on 127.0.0.1:PORT.
port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

# Sets $port to a free port that no process of this run was given yet. Not called as
# $(free_port): a subshell could not add to $taken. 20000-32767: below Linux's range for
# outgoing connections (32768 and up), which any connection may take meanwhile, so a port
# stays free while its process is down (chaos restarts analyzers on the same port).
taken=" "
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12768))
    case "$taken" in *" $p "*) continue ;; esac
    if ! port_open "$p"; then taken="$taken$p "; port=$p; return; fi
  done
}

# True when process PID holds a socket listening on TCP port PORT: the socket's inode, from
# /proc/net/tcp{,6}, is among the process's open files.
pid_listens() {
  local pid=$1 hex inode
  hex=$(printf '%04X' "$2")
  while read -r inode; do
    if [ -n "$(find /proc/"$pid"/fd -lname "socket:\[$inode\]" 2>/dev/null | head -n1)" ]; then return 0; fi
  done < <(awk -v p=":$hex\$" '$4 == "0A" && $2 ~ p { print $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  return 1
}

# wait_port PORT WHAT LOGS [PID]: waits up to port_wait_s seconds for WHAT to listen on
# 127.0.0.1:PORT; otherwise says so, pointing at LOGS, and exits with start_fail_rc. With
# PID, waits for that very process to listen there, and fails as soon as it is gone: a
# process left over from another run may hold the port that ours could not bind.
wait_port() {
  local port=$1 what=$2 logs=$3 pid=${4:-}
  for _ in $(seq 1 $((port_wait_s * 10))); do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      if port_open "$port"; then
        echo "$msg_prefix$what exited at start: something else is listening on port $port (stop it, or pick other ports); see $logs" >&2
      else
        echo "$msg_prefix$what exited at start; see $logs" >&2
      fi
      exit "$start_fail_rc"
    fi
    if [ -n "$pid" ]; then
      if pid_listens "$pid" "$port"; then return 0; fi
    elif port_open "$port"; then
      return 0
    fi
    sleep 0.1
  done
  if [ -n "$pid" ] && port_open "$port"; then
    echo "$msg_prefix$what did not start: something else is listening on port $port; see $logs" >&2
  else
    echo "$msg_prefix$what did not start on port $port; see $logs" >&2
  fi
  exit "$start_fail_rc"
}
