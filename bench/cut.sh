#!/usr/bin/env bash
# Messages per second over one cut edge on NATS JetStream (issue 11), against
# the same pipeline in one process, interleaved round by round; medians.
#   bench/cut.sh [--rounds N] [--messages N] [path/to/flow]
# Starts its own nats-server -js on a free loopback port (temporary store).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rounds=5 messages=200000 flow="$here/../build/cli/flow"
while (($#)); do
  case "$1" in
    --rounds) rounds="$2"; shift ;;
    --messages) messages="$2"; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) flow="$1" ;;
  esac
  shift
done
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
nats_server="$(command -v nats-server || echo /usr/sbin/nats-server)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$nats_server" -js -a 127.0.0.1 -p "$port" -sd "$work/store" >"$work/server.log" 2>&1 &
server=$!
until grep -q "Server is ready" "$work/server.log"; do sleep 0.05; done
url="nats://127.0.0.1:$port"

elapsed() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['elapsed_s'])" "$1"; }

{
echo "size,round,one_process_msgs_per_s,cut_edge_msgs_per_s"
for size in 8B 1KiB; do
  for round in $(seq "$rounds"); do
    file="$work/cut_${size}_${round}.flow"
    cat >"$file" <<FLOW
pipeline cut_${size}_${round}
source ingest = generate(count=$messages, size=$size) [part=front]
sink   store  = discard() [part=back]
ingest -> store [capacity=1024]
FLOW
    "$flow" run "$file" --quiet --metrics-json "$work/whole.json"
    start=$(date +%s.%N)
    "$flow" run "$file" --part back --quiet --nats "$url" --metrics-json "$work/back.json" &
    back=$!
    "$flow" run "$file" --part front --quiet --nats "$url" --metrics-json "$work/front.json"
    wait "$back"
    end=$(date +%s.%N)
    python3 -c "import sys; n=$messages; print(f'{sys.argv[1]},{sys.argv[2]},{n/float(sys.argv[3]):.0f},{n/(float(sys.argv[5])-float(sys.argv[4])):.0f}')" \
      "$size" "$round" "$(elapsed "$work/whole.json")" "$start" "$end"
  done
done
} | tee "$work/raw.csv"
python3 - "$work/raw.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print()
print("| payload | one process (msg/s) | one cut edge (msg/s) | cut ÷ one process |")
print("|---|---|---|---|")
for size in ("8B", "1KiB"):
    picked = [r for r in rows if r["size"] == size]
    one = statistics.median(float(r["one_process_msgs_per_s"]) for r in picked)
    cut = statistics.median(float(r["cut_edge_msgs_per_s"]) for r in picked)
    ratios = statistics.median(float(r["cut_edge_msgs_per_s"]) / float(r["one_process_msgs_per_s"]) for r in picked)
    print(f"| {size} | {one:,.0f} | {cut:,.0f} | {ratios:.3f} |")
PY
