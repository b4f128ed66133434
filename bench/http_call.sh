#!/usr/bin/env bash
# http() as a sink (issue 24, item 7): calls per second of `http(url)
# [workers=N]` against `wrk -c N` POSTing the same one-line body to the same
# server, in the same rounds. The server is flow's own listen("http://…")
# with discard(): a C++ server that answers 202 in microseconds (bench/http.sh
# measures it against wrk), so what limits both clients is the client and
# loopback, not the server; python3's http.server would measure itself.
#   bench/http_call.sh FLOW [ROUNDS] [WORKERS] [CALLS]
# Each round: wrk for about as long as flow's run took, then flow's run of
# CALLS messages; medians over the rounds and their ratio.
set -euo pipefail
flow=${1:?flow binary} rounds=${2:-3} workers=${3:-8} calls=${4:-20000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"' EXIT

cat >"$work/server.flow" <<FLOW
pipeline http_call_server
source front = listen("http://127.0.0.1:0/ingest", max_connections=256)
sink   drain = discard()
front -> drain [capacity=100000, overflow=drop_newest]
FLOW
"$flow" run "$work/server.flow" --quiet 2>"$work/server.err" &
pids+=($!)
until url=$(grep -so 'http://[^ ]*' "$work/server.err"); do
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.05
done

# The same 64-byte payload flow's generate(size=64B) sends.
printf '%064d' 0 | tr 0 x >"$work/body.txt"
cat >"$work/client.flow" <<FLOW
pipeline http_call_client
source gen  = generate(count=$calls, size=64B)
sink   ship = http("$url", retries=0) [workers=$workers]
gen -> ship [capacity=256]
FLOW

for round in $(seq 1 "$rounds"); do
  "$flow" run "$work/client.flow" --quiet --metrics-json "$work/client.json"
  read -r rate elapsed < <(python3 -c '
import json, sys
run = json.load(open(sys.argv[1]))
ship = next(s for s in run["sinks"] if s["name"] == "ship")
assert ship["delivered"] == int(sys.argv[2]), ship
print(ship["delivered"] / run["elapsed_s"], run["elapsed_s"])' "$work/client.json" "$calls")
  seconds=$(python3 -c "import math; print(max(2, math.ceil($elapsed)))")
  wrk_rate=$(FLOW_BODY="$work/body.txt" wrk -t2 -c"$workers" -d"${seconds}s" -s "$here/http_post.lua" "$url" |
    awk '/^requests_per_s/ {print $2}')
  echo "$rate $wrk_rate"
done >"$work/raw"

python3 - "$work/raw" "$workers" <<'PY'
import statistics, sys
flow, wrk = zip(*(map(float, line.split()) for line in open(sys.argv[1])))
f, w = statistics.median(flow), statistics.median(wrk)
print(f"http sink, workers={sys.argv[2]}: median {f:8.0f} calls/s   (rounds: {' '.join(f'{x:.0f}' for x in flow)})")
print(f"wrk -c {sys.argv[2]}:            median {w:8.0f} requests/s (rounds: {' '.join(f'{x:.0f}' for x in wrk)})")
print(f"ratio flow / wrk: {f / w:.2f}")
PY
