#!/usr/bin/env bash
# Where flow's time goes on workload (a), three zero-work hops:
#   perf stat   (software counters; this VM exposes no hardware ones) -> CPU per message per hop
#   perf record (cpu-clock sampling)                                  -> the hottest functions
#   callgrind   (a smaller run, exact instruction counts)             -> instructions per message per hop
# Needs bench/out/bin/flow (bench/run.sh builds it). Writes bench/out/profile/.
#
#   bench/profile.sh [MESSAGES]   # default 2000000 for perf, a tenth for callgrind
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
flow="$here/out/bin/flow"
out="$here/out/profile"
count=${1:-2000000}
small=$((count / 10))
hops=3
mkdir -p "$out"
[[ -x $flow ]] || { echo "bench/profile.sh: $flow missing; run bench/run.sh first" >&2; exit 1; }

workload() { sed "s/count=[0-9_]*/count=$1/" "$here/workloads/hops.flow" >"$out/hops-$1.flow"; echo "$out/hops-$1.flow"; }
big_file=$(workload "$count")
small_file=$(workload "$small")

echo "== perf stat, $count messages" >&2
perf stat -x, -e task-clock,context-switches,cpu-migrations,page-faults -o "$out/perf-stat.csv" \
  "$flow" run "$big_file" --quiet --metrics-json "$out/perf-stat-run.json"
task_ms=$(awk -F, '$3 == "task-clock" { print $1 }' "$out/perf-stat.csv")
switches=$(awk -F, '$3 == "context-switches" { print $1 }' "$out/perf-stat.csv")

echo "== perf record (cpu-clock), $count messages" >&2
perf record -q -e cpu-clock -F 4000 -o "$out/perf.data" "$flow" run "$big_file" --quiet 2>/dev/null
perf report -i "$out/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null |
  grep -E '^ +[0-9]' | head -40 | cut -c1-200 | sed "s/ *$//" >"$out/perf-top.txt"

echo "== callgrind, $small messages" >&2
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" "$flow" run "$small_file" --quiet \
  >"$out/callgrind.log" 2>&1
callgrind_annotate --inclusive=no "$out/callgrind.out" 2>/dev/null | head -60 | cut -c1-200 >"$out/callgrind-top.txt"
total_ir=$(callgrind_annotate "$out/callgrind.out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')

{
  echo "# flow, workload (a): where the time goes"
  echo
  echo "perf stat on $count messages: task-clock ${task_ms} ms, ${switches} context switches"
  awk -v t="$task_ms" -v n="$count" -v h="$hops" \
    'BEGIN { printf "CPU per message: %.0f ns; per message per hop: %.0f ns\n", t * 1e6 / n, t * 1e6 / n / h }'
  [[ -n $total_ir ]] && awk -v i="$total_ir" -v n="$small" -v h="$hops" \
    'BEGIN { printf "callgrind on %d messages: %.0f instructions per message, %.0f per message per hop (start-up included)\n", n, i / n, i / n / h }'
  echo
  echo "## hottest functions (perf, cpu-clock samples, self time)"
  echo
  echo '```'
  cat "$out/perf-top.txt"
  echo '```'
  echo
  echo "## hottest functions (callgrind, instructions, self)"
  echo
  echo '```'
  sed -n '/^Ir/,$p' "$out/callgrind-top.txt" | head -35
  echo '```'
} | tee "$out/summary.md"
