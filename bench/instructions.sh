#!/usr/bin/env bash
# Instructions per message, old flow against new, under valgrind's callgrind:
# a count that the load of a shared machine cannot move, where bench/ab.sh's
# rates and CPU times swing with it. Each workload runs at N messages and at
# none; the difference over N is what a message costs, start-up left out.
#   bench/instructions.sh OLD_FLOW NEW_FLOW [N]     (N: 200000 by default)
set -euo pipefail
old=${1:?old flow binary} new=${2:?new flow binary} n=${3:-200000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Instructions of one run of flow $1 over workload file $2 on one thread.
instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$work/out" "$1" run "$2" --quiet --threads 1 \
    2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

echo "| workload | old instructions/msg | new instructions/msg | new ÷ old |"
echo "|---|---|---|---|"
for w in hops fanout; do
  sed "s/count=2_000_000/count=$n/" "$here/workloads/$w.flow" >"$work/$w.flow"
  sed "s/count=2_000_000/count=0/" "$here/workloads/$w.flow" >"$work/$w-empty.flow"
  declare -A per
  for side in old new; do
    bin=$old; [[ $side == new ]] && bin=$new
    full=$(instructions "$bin" "$work/$w.flow")
    empty=$(instructions "$bin" "$work/$w-empty.flow")
    per[$side]=$(((full - empty) / n))
  done
  awk -v w="$w" -v o="${per[old]}" -v n="${per[new]}" 'BEGIN { printf "| %s | %d | %d | %.3f |\n", w, o, n, n / o }'
done
