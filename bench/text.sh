#!/usr/bin/env bash
# The text benchmark of issues 13 and 25: flow against grep, sed, awk and jq.
# Input: examples/data/app.log repeated (5,000 times: 2 M lines, ~110 MB), and
# an nginx access log of bench/gen_access_log.py (200 lines per repetition:
# 1 M lines). Seven workloads (bench/workloads/text/*.flow, flow's defaults,
# no capacity attributes), each against the tool that does the same job;
# rounds are INTERLEAVED (every program runs every workload once per round).
# Every run is a whole process under GNU time and a timeout, and its output
# must be byte for byte the tool's (cmp; sorted for an unordered node; for the
# access log, the same JSON objects or the same counts per status, as
# bench/text_compare.py reads them), or the run fails and the script exits 1.
#
#   bench/text.sh                     # build flow (Release, build-bench/), 5 rounds
#   bench/text.sh --quick             # 500 repetitions (200 k + 100 k lines), 3 rounds
#   options: --flow PATH (this binary, no build)  --no-build (reuse bench/out/text/bin/flow
#            or build-bench/cli/flow)
#            --rounds N  --lines-x N (repetitions of app.log)  --threads N (passed to flow)
#            --timeout S (per run, default 300)  --only W,W (these workloads, e.g. access_json,access_count)
#
# Writes bench/out/text/raw.csv (every run) and bench/out/text/results.md (the tables).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
out="$here/out/text"
bin="$out/bin"
work="$out/work"
logs="$out/logs"
wl="$here/workloads/text"
sample="$root/examples/data/app.log"

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }

quick=0 rounds="" lines_x="" flow_arg="" build=1 threads="" run_timeout=300 only=""
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --rounds) rounds="${2:?--rounds needs a number}"; shift ;;
    --lines-x) lines_x="${2:?--lines-x needs a number}"; shift ;;
    --flow) flow_arg="${2:?--flow needs a path}"; shift ;;
    --no-build) build=0 ;;
    --threads) threads="${2:?--threads needs a number}"; shift ;;
    --timeout) run_timeout="${2:?--timeout needs seconds}"; shift ;;
    --only) only="${2:?--only needs workloads}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/text.sh: unknown option '$1' (-h for help)" >&2; exit 2 ;;
  esac
  shift
done
for n in "$rounds" "$lines_x" "$threads" "$run_timeout"; do
  [[ -z $n || $n =~ ^[1-9][0-9]*$ ]] || { echo "bench/text.sh: '$n' is not a positive whole number" >&2; exit 2; }
done
if ((quick)); then rounds=${rounds:-3} lines_x=${lines_x:-500}; else rounds=${rounds:-5} lines_x=${lines_x:-5000}; fi

say() { printf '%s\n' "$*" >&2; }
mkdir -p "$bin" "$work" "$logs"

# ---------------------------------------------------------------- the flow binary

# The same cmake lines as bench/run.sh. The binary is copied into
# bench/out/text/bin so that a rebuild during the rounds does not change it.
if [[ -n $flow_arg ]]; then
  [[ -x $flow_arg ]] || { say "bench/text.sh: '$flow_arg' is not an executable"; exit 2; }
  cp "$flow_arg" "$bin/flow"
  flow_src=$flow_arg
elif ((build)); then
  flow_src="build-bench (built now)"
  say "building flow (Release) in build-bench ..."
  if cmake -S "$root" -B "$root/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOW_BUILD_TESTS=OFF \
      >"$logs/build-flow.log" 2>&1 &&
     cmake --build "$root/build-bench" --target flow -j2 >>"$logs/build-flow.log" 2>&1; then
    cp "$(find "$root/build-bench" -maxdepth 3 -type f -name flow -perm -u+x | head -1)" "$bin/flow"
  else
    say "flow did not build (see bench/out/text/logs/build-flow.log)"; exit 1
  fi
elif [[ ! -x $bin/flow && -x $root/build-bench/cli/flow ]]; then
  cp "$root/build-bench/cli/flow" "$bin/flow"
  flow_src="build-bench/cli/flow (not rebuilt)"
else
  flow_src="bench/out/text/bin/flow, the copy of an earlier run"
fi
flow="$bin/flow"
[[ -x $flow ]] || { say "bench/text.sh: no flow binary at $flow (drop --no-build, or give --flow PATH)"; exit 2; }
[[ -x /usr/bin/time ]] || { say "bench/text.sh: needs GNU time at /usr/bin/time (apt-get install time)"; exit 2; }

# ---------------------------------------------------------------- the input

big="$out/big.log"
want=$(( $(stat -c %s "$sample") * lines_x ))
if [[ ! -f $big || $(stat -c %s "$big") != "$want" ]]; then
  say "writing $big: app.log × $lines_x ($want bytes) ..."
  if ! python3 - "$sample" "$big.tmp" "$lines_x" <<'PY' || ! mv "$big.tmp" "$big"; then
import sys
data = open(sys.argv[1], "rb").read()
n = int(sys.argv[3])
with open(sys.argv[2], "wb") as f:
    block = data * 100
    for _ in range(n // 100):
        f.write(block)
    f.write(data * (n % 100))
PY
    say "could not write the input"; exit 1
  fi
fi
in_lines=$(wc -l <"$big")
in_bytes=$(stat -c %s "$big")

access="$out/access.log"
access_lines=$((lines_x * 200))
if [[ ! -f $access || $(wc -l <"$access") != "$access_lines" ]]; then
  say "writing $access: $access_lines lines of bench/gen_access_log.py ..."
  python3 "$here/gen_access_log.py" "$access_lines" 25 >"$access.tmp" && mv "$access.tmp" "$access" ||
    { say "could not write the access log"; exit 1; }
fi
access_bytes=$(stat -c %s "$access")

# ---------------------------------------------------------------- the programs

grep_re='\b(ERROR|FATAL)\b'
shell_tail="sed -E 's/^\\S+ \\S+ //' | tr a-z A-Z | sed 's/^/flow: /'"
swap_sed='s/^(\S+) (\S+) (\S+) (.*) (\S+)$/\5 \4 \3 \2 \1/'

# A string in flow's syntax: quoted, with \ and " escaped.
flow_str() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }

flow_opts=(--quiet)
[[ -n $threads ]] && flow_opts+=(--threads "$threads")

# The command line of PROGRAM on WORKLOAD, writing OUT (for stdio: a shell
# command with the redirections; all of them run as "sh -c", see timed).
command_of() {
  local w=$1 p=$2 o=$3 in=$big in_q out_q
  [[ $w == access_* ]] && in=$access
  in_q=$(printf '%q' "$in") out_q=$(printf '%q' "$o")
  case "$w/$p" in
    copy/flow|grep/flow|stages/flow|swap/flow-1w|swap/flow-2w|swap/flow-2u|access_json/flow|access_count/flow)
      local file=$w
      [[ $w == swap ]] && file=swap-${p#flow-}
      printf 'exec %q run %q' "$flow" "$wl/$file.flow"
      printf ' %q' "${flow_opts[@]}" --set "lines.path=$(flow_str "$in")" --set "out.path=$(flow_str "$o")" ;;
    stdio/flow)
      printf 'exec %q run %q' "$flow" "$wl/stdio.flow"; printf ' %q' "${flow_opts[@]}"
      printf ' <%s >%s' "$in_q" "$out_q" ;;
    copy/awk)     printf "exec awk '{print}' %s >%s" "$in_q" "$out_q" ;;
    stdio/awk)    printf "exec awk '{print}' <%s >%s" "$in_q" "$out_q" ;;
    stdio/cat)    printf 'exec cat <%s >%s' "$in_q" "$out_q" ;;
    grep/grep)    printf "exec grep -E '%s' %s >%s" "$grep_re" "$in_q" "$out_q" ;;
    stages/shell) printf "grep -E '%s' %s | %s >%s" "$grep_re" "$in_q" "$shell_tail" "$out_q" ;;
    swap/sed)     printf "exec sed -E '%s' %s >%s" "$swap_sed" "$in_q" "$out_q" ;;
    access_json/awk) printf 'exec awk -f %q %s >%s' "$wl/access_json.awk" "$in_q" "$out_q" ;;
    access_json/jq)  printf 'exec jq -R -c -f %q %s >%s' "$wl/access_json.jq" "$in_q" "$out_q" ;;
    access_count/awk)
      printf "exec awk '{ n[\$9]++ } END { for (s in n) print \"status=\" s, \"count=\" n[s] }' %s >%s" \
        "$in_q" "$out_q" ;;
    *) say "no command for $w/$p"; return 1 ;;
  esac
}

# workload: its programs, flow's first; the reference output comes from the tool.
workloads=(copy grep stages stdio swap access_json access_count)
declare -A programs=([copy]="flow awk" [grep]="flow grep" [stages]="flow shell"
                     [stdio]="flow awk cat" [swap]="flow-2w flow-1w flow-2u sed"
                     [access_json]="flow awk jq" [access_count]="flow awk")
declare -A reference=([copy]=copy/awk [grep]=grep/grep [stages]=stages/shell
                      [stdio]=stdio/awk [swap]=swap/sed [access_json]=access_json/awk
                      [access_count]=access_count/awk)
if [[ -n $only ]]; then
  IFS=, read -ra workloads <<<"$only"
  for w in "${workloads[@]}"; do
    [[ -n ${programs[$w]:-} ]] || { say "bench/text.sh: no workload '$w'"; exit 2; }
  done
fi

# ---------------------------------------------------------------- one run

raw="$out/raw.csv"
echo "round,workload,program,status,wall_s,time_wall_s,user_s,sys_s,cpu_s,peak_rss_kib,out_bytes" >"$raw"
failed=0

# Every run is one whole process tree: sh -c 'exec PROGRAM' (or the pipeline)
# under timeout under GNU time. Wall (wall_s) is bash's clock around the whole
# of it, to the microsecond (the few ms that time, timeout and sh take to start
# are in every row alike); time_wall_s is GNU time's %e, to the centisecond.
# User and sys (%U %S, centiseconds) add up every process of the tree; %M is
# the largest peak RSS of any one process in it (for the pipeline the largest
# of sh, grep, sed, tr, sed; not their sum).
timed() { /usr/bin/time -f "%e %U %S %M" -o "$work/time" timeout "$run_timeout" sh -c "$1"; }

# An unordered node (flow-2u) may deliver in any order: its output must hold
# the same lines as the tool's, compared sorted (the sorted reference once).
same_output() { # PROGRAM REFERENCE OUTPUT
  case "$2" in
    *access_json*) python3 "$here/text_compare.py" json "$2" "$3"; return ;;
    *access_count*) [[ $1 == awk ]] && { cmp -s "$2" "$3"; return; }
                    python3 "$here/text_compare.py" counts "$2" "$3"; return ;;
  esac
  [[ $1 != *-2u ]] && { cmp -s "$2" "$3"; return; }
  [[ -f $2.sorted ]] || LC_ALL=C sort "$2" >"$2.sorted"
  LC_ALL=C sort "$3" | cmp -s "$2.sorted" -
}

run_one() { # ROUND WORKLOAD PROGRAM
  local r=$1 w=$2 p=$3 o="$work/$2-$3.out" cmd rc status=ok t0 t1 wall e=0 u=0 s=0 m=0 cpu bytes=""
  local ref="$work/ref-${reference[$w]/\//-}.out"
  rm -f "$o" "$work/time"
  cmd=$(command_of "$w" "$p" "$o") || return
  t0=$EPOCHREALTIME
  timed "$cmd" 2>"$logs/$w-$p-$r.err"
  rc=$?
  t1=$EPOCHREALTIME
  if ((rc == 124 || rc == 137)); then status=timeout
  elif ((rc != 0)); then status="exit $rc"
  elif ! same_output "$p" "$ref" "$o"; then status=mismatch; cp "$o" "$logs/$w-$p-$r.mismatch"
  fi
  [[ -s $work/time ]] && read -r e u s m < <(tail -1 "$work/time")
  [[ -f $o ]] && bytes=$(stat -c %s "$o")
  [[ $status == ok ]] || failed=1
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
  cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
  echo "$r,$w,$p,$status,$wall,$e,$u,$s,$cpu,$m,$bytes" >>"$raw"
  say "  $(printf '%-7s %-8s %8.4f s wall %6.2f s CPU %8d KiB  %s' "$w" "$p" "$wall" "$cpu" "$m" "$status")"
}

# ---------------------------------------------------------------- references

say "references (untimed): the tools' outputs on $big ($in_lines lines)"
for ref in $(printf '%s\n' "${reference[@]}" | sort -u); do
  f="$work/ref-${ref/\//-}.out"
  sh -c "$(command_of "${ref%/*}" "${ref#*/}" "$f")" || { say "the reference $ref failed"; exit 1; }
done
# The references checked against each other: a copy is the input, the two
# stages keep as many lines as grep, and grep keeps some.
if ! cmp -s "$big" "$work/ref-copy-awk.out" || ! cmp -s "$big" "$work/ref-stdio-awk.out" ||
   [[ ! -s $work/ref-grep-grep.out ]] ||
   (($(wc -l <"$work/ref-stages-shell.out") != $(wc -l <"$work/ref-grep-grep.out"))) ||
   [[ ! -s $work/ref-access_json-awk.out || ! -s $work/ref-access_count-awk.out ]]; then
  say "bench/text.sh: the tools' reference outputs do not agree with each other"; exit 1
fi

# ---------------------------------------------------------------- the rounds

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
(while :; do cut -d' ' -f1 /proc/loadavg; sleep 5; done) >"$work/load" 2>/dev/null &
sampler=$!
trap 'kill "$sampler" 2>/dev/null' EXIT

for ((r = 1; r <= rounds; r++)); do
  say "round $r of $rounds"
  for w in "${workloads[@]}"; do
    read -ra ps <<<"${programs[$w]}"
    # Odd rounds run flow first, even rounds last: neither side always finds
    # the caches as the other left them.
    if ((r % 2 == 0)); then ps=("${ps[@]:1}" "${ps[0]}"); fi
    for p in "${ps[@]}"; do
      # jq takes about a minute on the access log: it runs in the first round only.
      [[ $w/$p == access_json/jq ]] && ((r > 1)) && continue
      run_one "$r" "$w" "$p"
    done
  done
done

kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
load_during=$(sort -n "$work/load" | awk '{ v[NR] = $1 } END { if (NR) printf "%s to %s (median %s, %d samples)", v[1], v[NR], v[int((NR + 1) / 2)], NR }')

# ---------------------------------------------------------------- the report

cpu_model=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
machine="$(nproc) cores ($cpu_model), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 2^20 }' /proc/meminfo) memory; \
flow: $flow_src ($("$flow" --version 2>/dev/null)), repository at $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')\
$(git -C "$root" diff --quiet HEAD -- runtime grammar cli 2>/dev/null || echo ' (with uncommitted changes)'), \
--threads ${threads:-default (all cores)}; $(grep --version | head -1), $(sed --version | head -1), \
$(awk -W version 2>/dev/null | head -1 || echo awk), $(tr --version | head -1); locale LC_CTYPE=$(locale 2>/dev/null | sed -n 's/^LC_CTYPE="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p'); \
1-minute load average $load_before before, $load_during during, $load_after after; $(date -u '+%Y-%m-%d %H:%M UTC')"
input="$big: app.log × $lines_x = $in_lines lines, $(awk -v b="$in_bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }'); \
$access: $access_lines lines, $(awk -v b="$access_bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }'); $rounds interleaved rounds"

python3 "$here/text_report.py" "$raw" --out "$out/results.md" --machine "$machine" --input "$input" \
  --shell "grep -E '$grep_re' IN | $shell_tail >OUT" || failed=1

if ((failed)); then
  say "bench/text.sh: some runs failed (status column of $raw; outputs that differ are kept in $logs)"
  exit 1
fi
