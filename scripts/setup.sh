#!/usr/bin/env bash
# Installs the Debian packages flow needs (only those missing), then configures
# and builds flow in build/. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ pkg-config tao-pegtl-dev libtbb-dev libfmt-dev catch2
          graphviz libre2-dev libcli11-dev nlohmann-json3-dev libxml2-utils libcpp-httplib-dev clang-tidy
          libnats-dev nats-server chromium zlib1g-dev curl wrk libcurl4-openssl-dev libsqlite3-dev sqlite3 jq)
# libcurl: http()'s client; libsqlite3 and sqlite3: sqlite() and the tests that read its rows back;
# jq: one of the real programs exec() runs in the tests.
# chromium: the tests load `flow run --ui`'s page in it, headless.
# The tests check `flow run --metrics-port` with its promtool. The package is
# the whole Prometheus server (on a systemd machine it starts one on :9090);
# its recommended node exporter, a second daemon, is left out.
# rsyslog: the ingest benchmark's reference (bench/ingest.sh), run in the
# foreground with its own config; its recommended extras are left out.
tools_only=(prometheus rsyslog)

missing_of() {
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || echo "$package"
  done
}
mapfile -t missing < <(missing_of "${packages[@]}")
mapfile -t missing_tools < <(missing_of "${tools_only[@]}")
if [ $((${#missing[@]} + ${#missing_tools[@]})) -gt 0 ]; then
  echo "setup: installing ${missing[*]} ${missing_tools[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
  fi
  if [ ${#missing_tools[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing_tools[@]}"
  fi
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build build -j "$(nproc)"
