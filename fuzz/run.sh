#!/usr/bin/env bash
# Builds the libFuzzer parser target and runs it.
#   fuzz/run.sh [SECONDS]   (default 60)
# Seeds: fuzz/corpus/*.flow plus examples/*.flow when present. New inputs that
# libFuzzer finds go to build-fuzz/corpus (not committed); crashes to build-fuzz/crashes.
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FLOW_FUZZ_BUILD:-$root/build-fuzz}
jobs=${FLOW_FUZZ_JOBS:-2}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFLOW_FUZZ=ON >/dev/null
cmake --build "$build" --target fuzz_parser -j"$jobs"

mkdir -p "$build/corpus" "$build/crashes"
seeds=("$root/fuzz/corpus")
if compgen -G "$root/examples/*.flow" >/dev/null; then
  mkdir -p "$build/examples-seeds"
  cp "$root"/examples/*.flow "$build/examples-seeds/"
  seeds+=("$build/examples-seeds")
fi

# -timeout: an input that takes a second is a hang; -rss_limit_mb: a parser must not balloon.
exec "$build/fuzz/fuzz_parser" "$build/corpus" "${seeds[@]}" \
  -dict="$root/fuzz/flow.dict" -max_total_time="$seconds" -timeout=2 -rss_limit_mb=1024 \
  -max_len=4096 -artifact_prefix="$build/crashes/" -print_final_stats=1
