#!/usr/bin/env bash
# Quick start 2: install what is missing, build, and run the whole default test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh -DFLOW_BUILD_TESTS=ON
cd build
ctest --output-on-failure -j "$(nproc)" -LE soak
