#!/usr/bin/env bash
# Runs examples/distributed/end_to_end.flow as three processes joined by NATS
# JetStream. Uses the server at $FLOW_NATS_URL, or starts a nats-server with
# JetStream on a free loopback port (and stops it at the end).
#   examples/distributed/run.sh [path/to/flow]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
flow="${1:-$here/../../build/cli/flow}"
file="$here/end_to_end.flow"
work="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${FLOW_NATS_URL:-}" ]; then
  nats_server="$(command -v nats-server || echo /usr/sbin/nats-server)"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  "$nats_server" -js -a 127.0.0.1 -p "$port" -sd "$work/store" >"$work/server.log" 2>&1 &
  server=$!
  until grep -q "Server is ready" "$work/server.log"; do
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.05
  done
  export FLOW_NATS_URL="nats://127.0.0.1:$port"
fi

# Each part prints its own summary; the last one's (store) ends the run.
pids=()
for part in back middle front; do
  "$flow" run "$file" --part "$part" --metrics-json "$work/$part.json" >"$work/$part.out" 2>&1 &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
for part in front middle back; do
  echo "== part $part"
  cat "$work/$part.out"
done
exit $status
