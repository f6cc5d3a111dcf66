#!/usr/bin/env bash
# Issue 11: bench/mount-storm.sh with the agent's two ways of finding a caller's mounts, alternated
# in one go: statmount/listmount (Linux 6.18, the default where the kernel has it) and the whole
# /proc/TID/mountinfo read (older kernels' path, forced with -Dnestlet.mount-lookup=mountinfo).
#
#   bench/mount-lookup.sh [PAIRS=3] [ROUNDS=2] [CYCLES=200]     (as root, after make build)
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=${1:-3}
ROUNDS=${2:-2}
CYCLES=${3:-200}
for p in $(seq "$PAIRS"); do
  if [ $((p % 2)) -eq 1 ]; then order="statmount mountinfo"; else order="mountinfo statmount"; fi
  for lookup in $order; do
    echo "pair $p: $lookup" >&2
    NESTLETD_JAVA_OPTS="-Dnestlet.mount-lookup=$lookup" bench/mount-storm.sh "$ROUNDS" "$CYCLES"
    echo
  done
done
