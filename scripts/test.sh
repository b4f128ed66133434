#!/usr/bin/env bash
# Quick start 2: install what is missing, build (warnings are errors), run the
# whole default test suite, then clang-tidy over the library.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh -DFLOW_BUILD_TESTS=ON -DFLOW_WERROR=ON
(cd build && ctest --output-on-failure -j "$(nproc)" -LE soak)
scripts/tidy.sh build
