#!/usr/bin/env bash
# One command for the whole benchmark (issue 5): builds flow (Release), the
# hand-written oneTBB graph, the tokio program and checks for GStreamer, then
# runs every workload INTERLEAVED (flow, TBB, tokio, GStreamer, flow, ...) for
# several rounds, and prints one table of medians and ratios to flow.
#
#   bench/run.sh            # 5 rounds, the sizes of issue 5
#   bench/run.sh --quick    # 3 rounds, a tenth of the messages (a smoke test)
#   options: --rounds N, --no-build (reuse bench/out/bin), --no-setup
#
# Writes bench/out/raw.csv (every run), bench/out/results.csv (medians) and
# bench/out/results.md (the table). A program that fails reads "n/a".
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
out="$here/out"
bin="$out/bin"
work="$out/work"
logs="$out/logs"
cores=$(nproc)

quick=0 rounds="" build=1 setup=1
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --rounds) rounds="$2"; shift ;;
    --no-build) build=0 ;;
    --no-setup) setup=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

if ((quick)); then
  rounds=${rounds:-3}
  n_msgs=200000 n_spin=20000 n_mem_small=10000 n_mem_big=1000000 mem_big_label=1M latency_s=1
else
  rounds=${rounds:-5}
  n_msgs=2000000 n_spin=200000 n_mem_small=10000 n_mem_big=10000000 mem_big_label=10M latency_s=2
fi
capacity=64
run_timeout=300

mkdir -p "$bin" "$work" "$logs"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
raw="$out/raw.csv"
echo "round,workload,program,status,delivered,elapsed_s,messages_per_s,peak_rss_bytes,latency_p50_s,latency_p99_s,cpu_s" >"$raw"

say() { printf '%s\n' "$*" >&2; }

# Every program runs under GNU time (peak RSS in KiB, CPU seconds user + system)
# and under a timeout, so that a stalled run is recorded as failed.
timed() { /usr/bin/time -f "%M %U %S" -o "$work/time" timeout "$run_timeout" "$@"; }
time_rss() { awk '{ printf "%d", $1 * 1024 }' "$work/time"; }
time_cpu() { awk '{ printf "%.3f", $2 + $3 }' "$work/time"; }

# ---------------------------------------------------------------- building

build_flow() {
  say "building flow (Release) in build-bench ..."
  if cmake -S "$root" -B "$root/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOW_BUILD_TESTS=OFF \
      >"$logs/build-flow.log" 2>&1 &&
     cmake --build "$root/build-bench" --target flow -j2 >>"$logs/build-flow.log" 2>&1; then
    cp "$(find "$root/build-bench" -maxdepth 3 -type f -name flow -perm -u+x | head -1)" "$bin/flow"
  else
    say "  flow did not build (see bench/out/logs/build-flow.log): its column reads n/a"
    rm -f "$bin/flow"
  fi
}

build_tbb() {
  say "building the hand-written oneTBB graph ..."
  g++ -std=c++20 -O2 -DNDEBUG "$here/tbb/bench_tbb.cpp" -ltbb -lfmt -o "$bin/bench-tbb" \
      >"$logs/build-tbb.log" 2>&1 || { say "  bench-tbb did not build"; rm -f "$bin/bench-tbb"; }
}

build_tokio() {
  say "building the tokio program (cargo, offline) ..."
  if (cd "$here/tokio" && cargo build --release --offline --quiet) >"$logs/build-tokio.log" 2>&1; then
    cp "$here/tokio/target/release/bench-tokio" "$bin/bench-tokio"
  else
    say "  bench-tokio did not build (see bench/out/logs/build-tokio.log)"
    rm -f "$bin/bench-tokio"
  fi
}

if ((setup)); then "$here/setup.sh" >&2 || say "bench/setup.sh failed; going on with what is installed"; fi
if ((build)); then build_flow; build_tbb; build_tokio; fi

# ---------------------------------------------------------------- one run

# record ROUND WORKLOAD PROGRAM STATUS [delivered elapsed mps rss p50 p99 cpu]
record() {
  local r=$1 w=$2 p=$3 s=$4
  shift 4
  local IFS=,
  echo "$r,$w,$p,$s,${*:-,,,,,,}" >>"$raw"
  [[ $s == ok ]] && say "  $(printf '%-12s %-10s' "$w" "$p") $(awk -F, '{printf "%12.0f msg/s  %8.3f s", $3, $2}' <<<"$*")" \
                 || say "  $(printf '%-12s %-10s' "$w" "$p") n/a ($s)"
}

# A copy of a workload file with its count, workers and rate replaced.
workload_file() {
  local name=$1 count=$2 rate=${3:-}
  local file="$work/$name-$count.flow"
  sed -e "s/count=[0-9_]*/count=$count/" -e "s/workers=[0-9]*/workers=$cores/" \
      ${rate:+-e "s|rate=[0-9_]*/s|rate=$rate/s|"} "$here/workloads/$name.flow" >"$file"
  echo "$file"
}

# run_flow ROUND WORKLOAD FILE COUNT
run_flow() {
  local r=$1 w=$2 file=$3 count=$4 json="$work/flow-$2-$1.json" fields
  if [[ ! -x $bin/flow ]]; then record "$r" "$w" flow "no binary"; return; fi
  rm -f "$json"
  if ! timed "$bin/flow" run "$file" --metrics-json "$json" --quiet >"$logs/flow-$w-$r.log" 2>&1 ||
     [[ ! -s $json ]]; then
    record "$r" "$w" flow "failed"; return
  fi
  fields=$(jq -r '[([.sinks[].delivered] | add), .elapsed_s, .messages_per_s, .peak_rss_bytes,
                   .latency_p50_s, .latency_p99_s] | map(tostring) | join(",")' "$json" 2>/dev/null) ||
    { record "$r" "$w" flow "bad json"; return; }
  if [[ ${fields%%,*} != "$count" ]]; then record "$r" "$w" flow "delivered ${fields%%,*} of $count"; return; fi
  record "$r" "$w" flow ok "$fields,$(time_cpu)"
}

# run_peer ROUND WORKLOAD PROGRAM COMMAND... : the command prints one JSON line
run_peer() {
  local r=$1 w=$2 p=$3 line rss
  shift 3
  if [[ ! -x $1 ]]; then record "$r" "$w" "$p" "no binary"; return; fi
  if ! line=$(timed "$@" 2>"$logs/$p-$w-$r.log"); then
    record "$r" "$w" "$p" "failed"; return
  fi
  rss=$(time_rss)
  record "$r" "$w" "$p" ok "$(jq -r "[.delivered, .elapsed_s, .messages_per_s, $rss, \"\", \"\"] | map(tostring) | join(\",\")" <<<"$line"),$(time_cpu)"
}

# GStreamer maps only onto the three hops: fakesrc ! queue ! identity ! queue ! fakesink.
# Its start-up (plugin registry, pipeline parse) is timed with one buffer and subtracted.
gst_pipeline() {
  local q="queue max-size-buffers=$capacity max-size-bytes=0 max-size-time=0"
  echo "fakesrc num-buffers=$1 sizemax=8 sizetype=fixed ! $q ! identity ! $q ! fakesink sync=false"
}

gst_seconds() {
  local start end
  start=$(date +%s.%N)
  # shellcheck disable=SC2046
  timed gst-launch-1.0 -q $(gst_pipeline "$1") \
    >"$logs/gst.log" 2>&1 || return 1
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }'
}

run_gst() {
  local r=$1 count=$2 base total elapsed
  if ! command -v gst-launch-1.0 >/dev/null; then record "$r" hops gstreamer "not installed"; return; fi
  base=$(gst_seconds 1) && total=$(gst_seconds "$count") || { record "$r" hops gstreamer failed; return; }
  elapsed=$(awk -v t="$total" -v b="$base" 'BEGIN { e = t - b; if (e <= 0) e = t; printf "%.6f", e }')
  record "$r" hops gstreamer ok "$count,$elapsed,$(awk -v n="$count" -v e="$elapsed" 'BEGIN { printf "%.1f", n / e }'),$(time_rss),,,$(time_cpu)"
}

# ---------------------------------------------------------------- the rounds

hops_file=$(workload_file hops "$n_msgs")
fanout_file=$(workload_file fanout "$n_msgs")
spin_file=$(workload_file spin "$n_spin")
mem_small_file=$(workload_file memory "$n_mem_small")
mem_big_file=$(workload_file memory "$n_mem_big")
in_flight_hops=$((3 * capacity)) in_flight_fanout=$((9 * capacity)) in_flight_spin=$((2 * capacity + cores))

tbb_variants() { # WORKLOAD COUNT IN_FLIGHT WORKERS
  local w=$1 n=$2 f=$3 k=$4 chunk
  for chunk in 1 16 64; do
    local name=tbb
    ((chunk > 1)) && name="tbb-chunk$chunk"
    run_peer "$r" "$w" "$name" "$bin/bench-tbb" "$w" "$n" 8 "$f" "$chunk" "$k"
  done
}

for ((r = 1; r <= rounds; r++)); do
  say "round $r of $rounds"
  run_flow "$r" hops "$hops_file" "$n_msgs"
  tbb_variants hops "$n_msgs" "$in_flight_hops" 1
  run_peer "$r" hops tokio "$bin/bench-tokio" hops "$n_msgs" 8 "$capacity" 1
  run_gst "$r" "$n_msgs"

  run_flow "$r" fanout "$fanout_file" "$n_msgs"
  tbb_variants fanout "$n_msgs" "$in_flight_fanout" 1
  run_peer "$r" fanout tokio "$bin/bench-tokio" fanout "$n_msgs" 8 "$capacity" 1

  run_flow "$r" spin "$spin_file" "$n_spin"
  tbb_variants spin "$n_spin" "$in_flight_spin" "$cores"
  run_peer "$r" spin tokio "$bin/bench-tokio" spin "$n_spin" 8 "$capacity" "$cores"

  run_flow "$r" memory-10k "$mem_small_file" "$n_mem_small"
  run_flow "$r" "memory-$mem_big_label" "$mem_big_file" "$n_mem_big"
done

# ---------------------------------------------------------------- latency at half the max rate

max_rate=$(python3 "$here/report.py" median "$raw" hops flow 2>/dev/null || true)
if [[ -n $max_rate ]]; then
  rate=$(awk -v m="$max_rate" 'BEGIN { printf "%d", m / 2 }')
  count=$((rate * latency_s))
  latency_file=$(workload_file latency "$count" "$rate")
  say "latency at $rate msg/s (half of flow's median on hops), $count messages"
  for ((r = 1; r <= 3; r++)); do run_flow "$r" latency "$latency_file" "$count"; done
else
  say "no flow rate on hops: latency skipped"
fi

cpu_model=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
machine="$cores cores ($cpu_model), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 2^20 }' /proc/meminfo) memory, \
flow at commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD -- runtime grammar cli 2>/dev/null || echo ' (with uncommitted changes)'), \
load average $load_before before and $(cut -d' ' -f1-3 /proc/loadavg) after, $(date -u '+%Y-%m-%d %H:%M UTC')"
python3 "$here/report.py" table "$raw" --out "$out" --cores "$cores" --spin-count "$n_spin" \
  --spin-us 10 --memory-big "memory-$mem_big_label" --latency-rate "${rate:-}" --rounds "$rounds" --machine "$machine"
