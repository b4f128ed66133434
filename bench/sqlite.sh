#!/usr/bin/env bash
# SQLite rows per second (issue 24, item 7): flow's read(file) -> sqlite(...)
# against the sqlite3 command's own `.import` of the same file into the same
# table (one TEXT column, WAL mode, the same synchronous), same machine,
# interleaved rounds, medians; the ratio is flow's rows/s over .import's.
#
#   bench/sqlite.sh FLOW [LINES] [ROUNDS]
#
# Cases (each a fresh database in a temporary directory on the same disk):
#   import       sqlite3 -cmd 'PRAGMA journal_mode=WAL' -cmd 'PRAGMA synchronous=FULL' DB '.import FILE t'
#                (.import is one transaction for the whole file)
#   flow         read(FILE) -> sqlite(DB, "t"): a transaction per chunk of up to 256, synchronous=full
#   flow_normal  the same with synchronous=normal (no fsync per commit)
#   flow_batch   read(FILE) -> batch(10000) -> sqlite(DB, "t"): a transaction per 10,000 lines
# Each run is timed from its start to its exit (the rows are then committed);
# the row count is checked with sqlite3 after every run.
set -euo pipefail
flow=${1:?flow binary} lines=${2:-1000000} rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/flow-sqlite-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ~60-byte lines, each different, with no tab, '|' or '"' (.import's list mode takes them whole).
awk -v n="$lines" 'BEGIN { for (i = 0; i < n; i++) printf "2026-12-07T13:15:00Z host-%d INFO request %010d served in 12 ms\n", i % 7, i }' >"$work/in.txt"

flow_file() {  # case → pipeline file
  local stage="" sync=""
  [[ $1 == flow_batch ]] && stage="stage  group = batch(10000)"
  [[ $1 == flow_normal ]] && sync=", synchronous=normal"
  local edges="lines -> store"
  [[ -n $stage ]] && edges="lines -> group -> store"
  cat <<FLOW
pipeline sqlite_bench
source lines = read("$work/in.txt")
$stage
sink   store = sqlite("$work/db.sqlite", "t"$sync)
$edges
FLOW
}

run_case() {  # case → seconds on stdout
  rm -f "$work"/db.sqlite*
  local start end
  if [[ $1 == import ]]; then
    sqlite3 "$work/db.sqlite" "PRAGMA journal_mode=WAL; CREATE TABLE t (line TEXT);" >/dev/null
    start=$(date +%s.%N)
    sqlite3 -batch -cmd 'PRAGMA journal_mode=WAL' -cmd 'PRAGMA synchronous=FULL' "$work/db.sqlite" \
      ".import $work/in.txt t" >/dev/null
    end=$(date +%s.%N)
  else
    flow_file "$1" >"$work/bench.flow"
    start=$(date +%s.%N)
    "$flow" run -q "$work/bench.flow"
    end=$(date +%s.%N)
  fi
  local rows
  rows=$(sqlite3 "$work/db.sqlite" "SELECT count(*) FROM t")
  [[ $rows == "$lines" ]] || { echo "bench/sqlite.sh: $1 stored $rows rows of $lines" >&2; exit 1; }
  echo "$end - $start" | bc -l
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cases="import flow flow_normal flow_batch"
declare -A times
for round in $(seq "$rounds"); do
  for c in $cases; do
    t=$(run_case "$c")
    times[$c]+="$t "
    printf 'round %d %-12s %.3f s\n' "$round" "$c" "$t" >&2
  done
done

import_s=$(printf '%s\n' ${times[import]} | median)
printf '\n%d lines, medians of %d rounds (%s)\n\n' "$lines" "$rounds" "$(nproc) cores"
printf '| case | seconds | rows/s | rows/s against .import |\n|---|---:|---:|---:|\n'
for c in $cases; do
  s=$(printf '%s\n' ${times[$c]} | median)
  printf '| %s | %.3f | %.0f | %.2f× |\n' "$c" "$s" "$(echo "$lines / $s" | bc -l)" "$(echo "$import_s / $s" | bc -l)"
done
