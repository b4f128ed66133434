#!/usr/bin/env bash
# flow against rsyslog (Debian's rsyslogd, in the foreground with its own
# config) on the same ingest jobs, same input, same machine, interleaved rounds:
#
#   tcp   N lines sent over one TCP connection → a file (imtcp + omfile)
#   file  N lines appended to a followed file  → a file (imfile + omfile);
#         skipped while flow's read(follow=true) says "not built yet"
#
# Each run is timed from the first byte offered to the last line in the output
# file (polled every 10 ms), under GNU time for the peak RSS. Medians over the
# rounds; the ratio is flow's throughput over rsyslog's.
#
#   bench/ingest.sh [--lines N] [--rounds R] [--flow PATH] [--cases "tcp file"]
#
# Writes bench/out/ingest/raw.csv and results.md.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
out="$here/out/ingest"
work="$out/work"
lines=1000000 rounds=3 cases="tcp file"
flow="$root/build/cli/flow"
while (($#)); do
  case "$1" in
    --lines) lines="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --flow) flow="$2"; shift ;;
    --cases) cases="$2"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "bench/ingest.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
rsyslogd=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[[ -x "$flow" ]] || { echo "bench/ingest.sh: no flow binary at $flow (build it, or --flow PATH)" >&2; exit 2; }
[[ -x "$rsyslogd" ]] || { echo "bench/ingest.sh: rsyslogd not found (apt-get install rsyslog)" >&2; exit 2; }

mkdir -p "$work"
raw="$out/raw.csv"
echo "round,case,program,lines,elapsed_s,lines_per_s,peak_rss_bytes,order" >"$raw"
say() { printf '%s\n' "$*" >&2; }

# ~100-byte lines, each different, none starting with a digit (rsyslog takes a leading digit for an octet count).
input="$work/input.txt"
awk -v n="$lines" 'BEGIN { for (i = 0; i < n; i++) printf "app %010d 2024-05-01T12:00:00Z host app[42]: request served path=/api/v1/items status=200 bytes=%06d\n", i, i % 999983 }' >"$input"
bytes=$(stat -c %s "$input")
say "input: $lines lines, $bytes bytes"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fill() {  # template → file, replacing @KEY@ by the values given as KEY=VALUE
  local template="$1" target="$2"; shift 2
  local sed_args=()
  for pair in "$@"; do sed_args+=(-e "s|@${pair%%=*}@|${pair#*=}|g"); done
  sed "${sed_args[@]}" "$template" >"$target"
}
# Waits until file $1 holds $2 bytes; gives up after $3 seconds, or when
# process $4 has ended (returns 1).
wait_size() {
  local deadline=$((SECONDS + $3))
  while (( $(stat -c %s "$1" 2>/dev/null || echo 0) < $2 )); do
    ((SECONDS > deadline)) && return 1
    kill -0 "$4" 2>/dev/null || return 1
    sleep 0.01
  done
}
# Waits until $1 exists and holds $2 (a pattern) or for 10 s.
wait_for() { local i; for i in $(seq 1000); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.01; done; return 1; }

# Runs one program on one case: starts it under GNU time, offers the input,
# times until the output is complete, stops it (SIGTERM), records the row.
run_one() {
  local round="$1" case="$2" program="$3" port dest="$work/$2_$3.out" conf start end
  rm -f "$dest" "$work/time" "$work/followed.log" "$work/stderr" "$work/rsyslog.pid" "$work"/imfile-state* 2>/dev/null
  : >"$work/followed.log"
  port=$(free_port)
  if [[ $program == flow ]]; then
    conf="$work/$case.flow"
    fill "$here/ingest/flow_$case.flow.in" "$conf" PORT="$port" OUT="$dest" IN="$work/followed.log"
    /usr/bin/time -f "%M" -o "$work/time" "$flow" run -q "$conf" 2>"$work/stderr" &
  else
    conf="$work/$case.conf"
    fill "$here/ingest/rsyslog_$case.conf.in" "$conf" PORT="$port" OUT="$dest" IN="$work/followed.log" WORK="$work"
    /usr/bin/time -f "%M" -o "$work/time" "$rsyslogd" -n -f "$conf" -i "$work/rsyslog.pid" 2>"$work/stderr" &
  fi
  local timer=$!
  # Ready: flow says where it listens; rsyslogd writes its pid file (then the listener is up).
  if [[ $program == flow ]]; then
    [[ $case == tcp ]] && { wait_for "$work/stderr" "listening on" || { say "$program did not start: $(cat "$work/stderr")"; }; }
  else
    wait_for "$work/rsyslog.pid" . || say "rsyslogd did not start: $(cat "$work/stderr")"
  fi
  [[ $case == file ]] && sleep 0.5  # both start watching the file; no output to wait on
  start=$(date +%s.%N)
  if [[ $case == tcp ]]; then
    # bash's /dev/tcp: cat writes the file into one connection.
    cat "$input" >"/dev/tcp/127.0.0.1/$port"
  else
    cat "$input" >>"$work/followed.log"
  fi
  local ok=1
  wait_size "$dest" "$bytes" 300 "$timer" || ok=0
  end=$(date +%s.%N)
  local child
  child=$(pgrep -P "$timer")
  [[ -n $child ]] && kill -TERM "$child"
  wait "$timer" 2>/dev/null
  local elapsed rate rss
  elapsed=$(echo "$end - $start" | bc -l)
  rate=$(echo "$lines / $elapsed" | bc -l)
  rss=$(( $(cat "$work/time" | tail -1) * 1024 ))
  if ((!ok)); then
    say "round $round $case $program: incomplete output ($(stat -c %s "$dest" 2>/dev/null || echo 0) of $bytes bytes)"
    elapsed=nan rate=nan
  fi
  # Every line exactly once; in the order sent, or not (rsyslog's imtcp
  # hands a connection's lines to several workers and reorders them).
  local order=in_order
  if ((ok)) && ! cmp -s "$input" "$dest"; then
    order=reordered
    if ! cmp -s <(sort "$input") <(sort "$dest"); then
      say "round $round $case $program: output differs from the input"
      order=differs rate=nan
    fi
  fi
  printf '%s,%s,%s,%s,%s,%s,%s,%s\n' "$round" "$case" "$program" "$lines" "$elapsed" "$rate" "$rss" "$order" >>"$raw"
  say "round $round $case $program: ${elapsed}s, $(printf '%.0f' "$rate" 2>/dev/null) lines/s, peak RSS $((rss / 1048576)) MiB, $order"
}

# The follow case needs read(follow=true): skipped while it is not built.
runnable=""
for case in $cases; do
  if [[ $case == file ]]; then
    : >"$work/followed.log"
    fill "$here/ingest/flow_file.flow.in" "$work/probe.flow" IN="$work/followed.log" OUT="$work/probe.out"
    probe=$(timeout 5 "$flow" run -q --duration 200ms "$work/probe.flow" 2>&1)
    if [[ $probe == *"not built yet"* ]]; then
      say "file: skipped: flow's read(follow=true) is not built yet"
      continue
    fi
  fi
  runnable+=" $case"
done

for ((round = 1; round <= rounds; round++)); do
  for case in $runnable; do
    # Interleaved, and the order turns each round, so neither always runs on a warmer machine.
    if ((round % 2)); then order="flow rsyslog"; else order="rsyslog flow"; fi
    for program in $order; do run_one "$round" "$case" "$program"; done
  done
done

python3 - "$raw" "$out/results.md" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def med(case, program, key):
    values = [float(r[key]) for r in rows if r["case"] == case and r["program"] == program and r[key] != "nan"]
    return statistics.median(values) if values else float("nan")
def orders(case, program):
    return "/".join(sorted({r["order"] for r in rows if r["case"] == case and r["program"] == program}))
lines = ["| case | flow lines/s | rsyslog lines/s | flow / rsyslog | flow peak RSS | rsyslog peak RSS | order kept (flow, rsyslog) |",
         "|---|---|---|---|---|---|---|"]
for case in sorted({r["case"] for r in rows}):
    f, r = med(case, "flow", "lines_per_s"), med(case, "rsyslog", "lines_per_s")
    fm, rm = med(case, "flow", "peak_rss_bytes") / 2**20, med(case, "rsyslog", "peak_rss_bytes") / 2**20
    lines.append(f"| {case} | {f:,.0f} | {r:,.0f} | {f / r:.2f} | {fm:.0f} MiB | {rm:.0f} MiB "
                 f"| {orders(case, 'flow')}, {orders(case, 'rsyslog')} |")
text = "\n".join(lines) + "\n"
open(sys.argv[2], "w").write(text)
print(text)
PY
