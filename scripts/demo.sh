#!/usr/bin/env bash
# Quick start 1: install what is missing, build, and run the end-to-end example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh -DFLOW_BUILD_TESTS=OFF
build/cli/flow plan examples/end_to_end.flow
build/cli/flow run examples/end_to_end.flow --report 1s
