#!/usr/bin/env bash
# Installs what the peers of the benchmark need, from Debian only, and only
# what is missing, so running it twice costs nothing.
set -euo pipefail

packages=(
  librust-tokio-dev        # tokio's crate sources, for the offline cargo build
  time                     # /usr/bin/time: peak RSS and CPU seconds of every run
  linux-perf valgrind      # bench/profile.sh
  gstreamer1.0-tools       # gst-launch-1.0
  gstreamer1.0-plugins-base
  libtbb-dev
  jq
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ! command -v cargo >/dev/null 2>&1; then
  missing+=(cargo rustc)
fi

if ((${#missing[@]} == 0)); then
  echo "bench/setup.sh: everything is installed"
  exit 0
fi

echo "bench/setup.sh: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
