#!/usr/bin/env bash
# HTTP ingress (issue 23): wrk against listen("http://…") with a fast sink
# (discard), beside the same wrk against python3 -m http.server serving a
# static file (GET): what this machine's loopback, kernel and wrk can do with
# a minimal server, as the reference. Rounds interleave the two; medians.
#   bench/http.sh FLOW [ROUNDS] [SECONDS] [CONNECTIONS]
# Each flow request is a body of 10 lines (~500 bytes); every one is answered
# 202 (the edge never fills: discard takes a line in nanoseconds).
set -euo pipefail
flow=${1:?flow binary} rounds=${2:-5} seconds=${3:-5} connections=${4:-16}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"' EXIT

for i in $(seq 0 9); do printf '2026-12-07 13:15:%02d INFO request served in 12 ms id=%06d\n' "$i" "$i"; done >"$work/body.txt"
cp "$work/body.txt" "$work/static.txt"

cat >"$work/fast.flow" <<FLOW
pipeline http_bench
source front = listen("http://127.0.0.1:0/ingest", max_connections=64)
sink   drain = discard()
front -> drain [capacity=10000, overflow=drop_newest]
FLOW

"$flow" run "$work/fast.flow" --quiet --metrics-json "$work/run.json" 2>"$work/flow.err" &
pids+=($!)
flow_pid=$!
until url=$(grep -so 'http://[^ ]*' "$work/flow.err"); do
  kill -0 "$flow_pid" 2>/dev/null || { cat "$work/flow.err" >&2; exit 1; }
  sleep 0.05
done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$work" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
pids+=($!)
until curl -sf "http://127.0.0.1:$port/static.txt" >/dev/null; do sleep 0.05; done

# One wrk run: requests/s and p99 (ms), from the Lua script's done().
measure() {
  FLOW_BODY="$work/body.txt" wrk -t2 -c"$connections" -d"${seconds}s" -s "$here/http_post.lua" "$@" |
    awk '/^requests_per_s/ {r = $2} /^p99_ms/ {p = $2} END {print r, p}'
}

for round in $(seq 1 "$rounds"); do
  echo "flow $(measure "$url")"
  # A plain GET of the same bytes as a static file, read from wrk's own --latency table.
  echo "python $(wrk -t2 -c"$connections" -d"${seconds}s" --latency \
    "http://127.0.0.1:$port/static.txt" | awk '/Requests\/sec/ {r = $2} / 99%/ {p = $2} END {print r, p}')"
done >"$work/raw"

kill -TERM "$flow_pid"
wait "$flow_pid" || true
python3 - "$work/raw" "$work/run.json" <<'PY'
import collections, json, re, statistics, sys

def ms(text):  # wrk --latency prints 1.23ms, 456.00us, 1.02s
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1, "s": 1e3}[unit]

rates, p99s = collections.defaultdict(list), collections.defaultdict(list)
for line in open(sys.argv[1]):
    way, rate, p99 = line.split()
    rates[way].append(float(rate))
    p99s[way].append(float(p99) if way == "flow" else ms(p99))
for way in ("flow", "python"):
    print(f"{way:7} median {statistics.median(rates[way]):9.0f} requests/s  p99 {statistics.median(p99s[way]):7.2f} ms"
          f"  (rounds: {' '.join(f'{r:.0f}' for r in rates[way])})")
run = json.load(open(sys.argv[2]))
front = next(node for node in run["nodes"] if node["name"] == "front")
print(f"flow: {front['counts']['accepted']} requests accepted, {front['counts']['rejected']} refused, "
      f"peak RSS {run['peak_rss_bytes'] / 2**20:.1f} MiB")
PY
