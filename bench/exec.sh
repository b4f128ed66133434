#!/usr/bin/env bash
# exec against the same program run alone in a shell pipeline, on the same
# input, same machine, interleaved rounds (issue 24, item 7):
#
#   sed      `sed -u s/a/b/ < in > out`      vs  read | exec("sed", "-u", "s/a/b/") | write
#   python   `python3 -u upper.py < in > out` vs  read | exec("python3", "upper.py") | write
#   sed_stdbuf  `sed s/a/b/ < in > out` (buffered, sed at its fastest)
#            vs  read | exec("stdbuf", "-oL", "sed", "s/a/b/") | write
#            (output flushed per line, input still read in blocks: `sed -u`
#            reads its input a byte at a time)
#   python_buffered  `python3 upper.py < in > out` (buffered)
#            vs  read | exec("python3", "upper.py") | write
#
# Each run is timed from start to exit (wall clock); flow's output is compared
# with the pipeline's. Medians over the rounds; the ratio is flow's time over
# the pipeline's (goal: <= 1.2).
#
#   bench/exec.sh [--lines N] [--rounds R] [--flow PATH] [--cases "sed python"]
#
# Writes bench/out/exec/raw.csv and results.md.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
out="$here/out/exec"
work="$out/work"
lines=1000000 rounds=3 cases="sed python sed_stdbuf python_buffered"
flow="$root/build/cli/flow"
while (($#)); do
  case "$1" in
    --lines) lines="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --flow) flow="$2"; shift ;;
    --cases) cases="$2"; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "bench/exec.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
[[ -x "$flow" ]] || { echo "bench/exec.sh: no flow binary at $flow (build it, or --flow PATH)" >&2; exit 2; }

mkdir -p "$work"
raw="$out/raw.csv"
echo "round,case,program,lines,elapsed_s,lines_per_s" >"$raw"
say() { printf '%s\n' "$*" >&2; }

# ~60-byte lines, each different, each with an 'a' for sed to change.
input="$work/input.txt"
awk -v n="$lines" 'BEGIN { for (i = 0; i < n; i++) printf "a request %010d served path=/api/v1/items status=200\n", i }' >"$input"
say "input: $lines lines, $(stat -c %s "$input") bytes"
printf 'import sys\nfor line in sys.stdin:\n    sys.stdout.write(line.upper())\n' >"$work/upper.py"

# The case's command line for the shell and its exec() call for flow.
shell_command() {
  case "$1" in
    sed) echo "sed -u s/a/b/ <'$input' >'$2'" ;;
    python) echo "python3 -u '$work/upper.py' <'$input' >'$2'" ;;
    sed_stdbuf) echo "sed s/a/b/ <'$input' >'$2'" ;;
    python_buffered) echo "env -u PYTHONUNBUFFERED python3 '$work/upper.py' <'$input' >'$2'" ;;
  esac
}
exec_call() {
  case "$1" in
    sed) echo 'exec("sed", "-u", "s/a/b/")' ;;
    sed_stdbuf) echo 'exec("stdbuf", "-oL", "sed", "s/a/b/")' ;;
    python|python_buffered) echo "exec(\"python3\", \"$work/upper.py\")" ;;
  esac
}

now() { date +%s.%N; }

run_one() {
  local round="$1" case="$2" program="$3" dest="$work/$2_$3.out" start end
  rm -f "$dest"
  start=$(now)
  if [[ $program == flow ]]; then
    printf 'pipeline exec_bench\n\nsource lines = read("%s")\nstage  work  = %s\nsink   out   = write("%s")\n\nlines -> work -> out\n' \
      "$input" "$(exec_call "$case")" "$dest" >"$work/$case.flow"
    "$flow" run -q "$work/$case.flow" || { say "flow failed on $case"; return 1; }
  else
    sh -c "$(shell_command "$case" "$dest")" || { say "the pipeline failed on $case"; return 1; }
  fi
  end=$(now)
  local elapsed
  elapsed=$(echo "$end - $start" | bc -l)
  printf '%s,%s,%s,%s,%.3f,%.0f\n' "$round" "$case" "$program" "$lines" "$elapsed" "$(echo "$lines / $elapsed" | bc -l)" >>"$raw"
  say "round $round $case $program: ${elapsed}s"
}

for round in $(seq "$rounds"); do
  for case in $cases; do
    run_one "$round" "$case" shell
    run_one "$round" "$case" flow
    cmp -s "$work/${case}_shell.out" "$work/${case}_flow.out" || say "WARNING: $case: flow's output differs from the pipeline's"
  done
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
  echo "| case | lines | pipeline alone (median s) | flow exec (median s) | ratio |"
  echo "|---|---|---|---|---|"
  for case in $cases; do
    shell=$(awk -F, -v c="$case" '$2 == c && $3 == "shell" { print $5 }' "$raw" | median)
    flowt=$(awk -F, -v c="$case" '$2 == c && $3 == "flow" { print $5 }' "$raw" | median)
    printf '| %s | %s | %.2f | %.2f | %.2fx |\n' "$case" "$lines" "$shell" "$flowt" "$(echo "$flowt / $shell" | bc -l)"
  done
} | tee "$out/results.md"
