#!/usr/bin/env bash
# Browser test of the dashboard (`make test-ui`). Starts three analyzers and a distributor
# with its admin endpoint (ports on 127.0.0.1 chosen free), streams an emitter, and loads
# the dashboard in headless Chromium twice: once under load for a screenshot (to
# $UI_SCREENSHOT, default run/test-ui/dashboard.png; `make test-ui` refreshes the README's
# docs/dashboard.png), once after the load for the rendered DOM, whose numbers
# scripts/ui/CheckDashboard.java compares with /api/analyzers and /api/status.
# Builds nothing: run `make build` first. Installs Chromium (Debian package) when missing
# and running as root; otherwise says how. Logs land in run/test-ui/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/lib/common.sh
. scripts/lib/common.sh
ld=scripts/logdist
out=run/test-ui
rm -rf "$out"; mkdir -p "$out"
screenshot="${UI_SCREENSHOT:-$out/dashboard.png}"
case "$screenshot" in /*) ;; *) screenshot="$root/$screenshot" ;; esac

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-ui: installing chromium (apt-get)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$out/apt.log" 2>&1 \
      || { echo "test-ui: apt-get install chromium failed; see $out/apt.log" >&2; exit 1; }
  else
    echo "test-ui: chromium is not installed; as root: apt-get install chromium" >&2
    exit 1
  fi
fi
if [ ! -d distributor/target/lib ]; then
  echo "test-ui: the programs are not built; run 'make build' first" >&2
  exit 1
fi

profile=$(mktemp -d); remove_on_exit "$profile" # Chromium's profile, one for the run
check() {
  java -cp "distributor/target/lib/*" scripts/ui/CheckDashboard.java "$@"
}
browser() {
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --disable-dev-shm-usage --user-data-dir="$profile" --virtual-time-budget=3000 "$@" \
    2>>"$out/chromium.log"
}

weights=(0.5 0.3 0.2)
aports=()
apids=()
flags=()
for i in 1 2 3; do
  free_port
  LOGDIST_JAVA_OPTS="-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1" \
    $ld analyzer --listen 127.0.0.1:"$port" --name "a$i" --quiet >"$out/a$i.log" 2>&1 &
  track "$!"; apids+=("$!")
  flags+=(--analyzer "a$i=127.0.0.1:$port@${weights[$((i - 1))]}")
  aports+=("$port")
done
for i in 1 2 3; do wait_port "${aports[$((i - 1))]}" "analyzer a$i" "$out/*.log" "${apids[$((i - 1))]}"; done

free_port; dport=$port; free_port; admin=$port
LOGDIST_JAVA_OPTS="-Xmx256m" $ld distributor --listen 127.0.0.1:"$dport" --admin 127.0.0.1:"$admin" --name test-ui \
  "${flags[@]}" --status-interval 0 >"$out/distributor.log" 2>&1 &
dpid=$!; track "$dpid"
wait_port "$admin" "the distributor's admin endpoint" "$out/*.log" "$dpid"
check ready "http://127.0.0.1:$admin"
url="http://127.0.0.1:$admin/"

echo "test-ui: distributor on 127.0.0.1:$dport, dashboard at $url; streaming an emitter for 9 s"
LOGDIST_JAVA_OPTS="-Xmx256m" $ld emitter --distributor 127.0.0.1:"$dport" --rate 20000 --duration 9s \
  --messages-per-packet 32 --connections 2 >"$out/emitter.log" 2>&1 &
epid=$!; track "$epid"
sleep 5
rm -f "$screenshot"
browser --window-size=1280,330 --hide-scrollbars --screenshot="$screenshot" "$url" >/dev/null
[ -s "$screenshot" ] || { echo "test-ui: no screenshot was written; see $out/chromium.log" >&2; exit 1; }
erc=0; wait_exit "$epid" || erc=$?
[ "$erc" -eq 0 ] || { echo "test-ui: the emitter failed; see $out/emitter.log" >&2; exit 1; }

# Once everything is ACKed the numbers hold still: render the page, then ask the API.
browser --dump-dom "$url" >"$out/dashboard.html"
check compare "http://127.0.0.1:$admin" "$out/dashboard.html"
echo "test-ui: screenshot in ${screenshot#"$root/"}"
