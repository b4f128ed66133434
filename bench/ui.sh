#!/usr/bin/env bash
# What `flow run --ui` costs a run: workload (a) at 20 M messages, one
# thread, three ways interleaved round by round: without --ui, with --ui and
# no page connected, and with a client reading the event stream (curl, as a
# page's EventSource would) from the first snapshot on.
#   bench/ui.sh FLOW [ROUNDS]
# Prints each way's median messages/s and its ratio to the run without --ui.
set -euo pipefail
flow=${1:?flow binary} rounds=${2:-7}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed 's/count=2_000_000/count=20_000_000/' "$here/workloads/hops.flow" >"$work/hops.flow"

rate() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["messages_per_s"])' "$work/run.json"; }

run_plain() { "$flow" run "$work/hops.flow" --quiet --threads 1 --metrics-json "$work/run.json"; }
run_ui() { "$flow" run "$work/hops.flow" --quiet --threads 1 --metrics-json "$work/run.json" --ui 0 2>/dev/null; }

# The client connects once flow has printed its URL (before the run starts);
# it ends when the stream does, after the final event.
run_ui_client() {
  "$flow" run "$work/hops.flow" --quiet --threads 1 --metrics-json "$work/run.json" --ui 0 2>"$work/err" &
  local pid=$! url=""
  until url=$(grep -o 'http://[^ ]*' "$work/err"); do sleep 0.01; done
  curl -sN "${url}events" >"$work/events" &
  local client=$!
  wait "$pid"
  wait "$client" || true
  grep -c '^event: ' "$work/events" >"$work/event_count"
}

for round in $(seq 1 "$rounds"); do
  for way in plain ui ui_client; do
    "run_$way"
    echo "$way $(rate)"
  done
done >"$work/raw"
echo "events a client received in the last round: $(cat "$work/event_count")"
python3 - "$work/raw" <<'PY'
import collections, statistics, sys
rates = collections.defaultdict(list)
for line in open(sys.argv[1]):
    way, rate = line.split()
    rates[way].append(float(rate))
base = statistics.median(rates["plain"])
for way in ("plain", "ui", "ui_client"):
    median = statistics.median(rates[way])
    print(f"{way:10} median {median / 1e6:6.2f} M msg/s  ×{median / base:.3f}  "
          f"(rounds: {' '.join(f'{r / 1e6:.2f}' for r in rates[way])})")
PY
