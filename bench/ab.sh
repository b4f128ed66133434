#!/usr/bin/env bash
# A/B of two flow binaries on workloads (a), (b) and (c), interleaved, with one
# thread (steady: CPU-bound, the other core left to the noise) and two.
#   bench/ab.sh OLD_FLOW NEW_FLOW [ROUNDS]
# Prints the medians and NEW ÷ OLD for the rate and the CPU per message. Build
# the old one from a worktree: git worktree add /tmp/old REV && cmake -S /tmp/old
# -B /tmp/old/build -DCMAKE_BUILD_TYPE=Release -DFLOW_BUILD_TESTS=OFF && cmake
# --build /tmp/old/build --target flow.
set -euo pipefail
old=${1:?old flow binary} new=${2:?new flow binary} rounds=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed 's/count=2_000_000/count=20_000_000/' "$here/workloads/hops.flow" >"$work/hops.flow"
sed 's/count=2_000_000/count=8_000_000/' "$here/workloads/fanout.flow" >"$work/fanout.flow"
sed 's/count=200_000/count=100_000/' "$here/workloads/spin.flow" >"$work/spin.flow"
for round in $(seq 1 "$rounds"); do
  for w in hops fanout spin; do
    for threads in 1 2; do
      for side in old new; do
        bin=$old; [[ $side == new ]] && bin=$new
        /usr/bin/time -f "%U %S" -o "$work/time" "$bin" run "$work/$w.flow" --quiet --threads "$threads" \
          --metrics-json "$work/run.json" >/dev/null
        python3 - "$work" "$w-t$threads" "$side" <<'PY'
import json, sys
work, name, side = sys.argv[1:]
run = json.load(open(f"{work}/run.json"))
user, system = map(float, open(f"{work}/time").read().split())
delivered = sum(s["delivered"] for s in run["sinks"])
print(name, side, run["messages_per_s"], (user + system) / delivered * 1e9)
PY
      done
    done
  done
done >"$work/raw"
python3 - "$work/raw" <<'PY'
import collections, statistics, sys
rate, cpu = collections.defaultdict(list), collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, side, r, c = line.split()
    rate[name, side].append(float(r)); cpu[name, side].append(float(c))
print("| workload, threads | old msg/s | new msg/s | new ÷ old | old CPU/msg | new CPU/msg | new ÷ old |")
print("|---|---|---|---|---|---|---|")
for name in sorted({n for n, _ in rate}):
    ro, rn = statistics.median(rate[name, "old"]), statistics.median(rate[name, "new"])
    co, cn = statistics.median(cpu[name, "old"]), statistics.median(cpu[name, "new"])
    print(f"| {name} | {ro/1e6:.2f} M | {rn/1e6:.2f} M | {rn/ro:.2f} | {co:.0f} ns | {cn:.0f} ns | {cn/co:.2f} |")
PY
