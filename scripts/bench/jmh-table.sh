#!/usr/bin/env bash
# Turns a JMH JSON result file (-rf json -rff FILE, run with -prof gc) into the Markdown
# table of docs/benchmarks.md: one row per benchmark and parameter set, with its score
# and the allocation per operation.
#   make bench-jmh JMH_ARGS="-wi 2 -i 3 -w 1 -r 1 -f 1 -rf json -rff $PWD/run/jmh.json"
#   scripts/bench/jmh-table.sh run/jmh.json
set -euo pipefail
file=${1:?usage: jmh-table.sh JMH_RESULT.json}
echo "| benchmark | params | score | ± (99.9 %) | unit | gc.alloc.rate.norm (B/op) |"
echo "|---|---|---|---|---|---|"
jq -r '
  def thousands: tostring | if test("^[0-9]{4,}$") then [match("(^[0-9]{1,3})(?=([0-9]{3})+$)|[0-9]{3}"; "g").string] | join(",") else . end;
  def num: if . == null or . == "NaN" then "-" elif . >= 100 then (floor | thousands) else (. * 100 | floor / 100 | tostring) end;
  .[] |
  [ (.benchmark | split(".") | .[-2:] | join(".")),
    ((.params // {}) | to_entries | map("\(.key)=\(.value)") | join(" ")),
    (.primaryMetric.score | num),
    (.primaryMetric.scoreError | num),
    .primaryMetric.scoreUnit,
    (.secondaryMetrics["gc.alloc.rate.norm"].score // null | if . == null then "-" else (. * 10 | round / 10 | tostring) end)
  ] | "| " + join(" | ") + " |"' "$file"
