#!/usr/bin/env bash
# clang-tidy over the library (grammar/ and runtime/) with the checks of
# .clang-tidy, as CI runs it: any finding fails. Needs a configured build
# directory (compile_commands.json); default build/.
#   scripts/tidy.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
mapfile -t files < <(find grammar runtime -name '*.cpp' | sort)
echo "tidy: clang-tidy on ${#files[@]} files of the library"
run-clang-tidy -p "$build" -quiet -j "$(nproc)" "${files[@]/#/$PWD/}" > "$build/tidy.log" 2>&1 || true
# run-clang-tidy 14 has no -warnings-as-errors: a finding is any line that names a place.
if grep -qE '^/[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$build/tidy.log"; then
  grep -E '^/[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$build/tidy.log" | sort -u
  echo "tidy: findings above (full log: $build/tidy.log)"
  exit 1
fi
echo "tidy: clean"
