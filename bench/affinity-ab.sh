#!/usr/bin/env bash
# Issue 11: a storm benchmark run with two install trees alternated in one go, so that a noisy
# machine hits both alike: BASE (e.g. main's target/dist, built in another worktree) and this
# tree's target/dist; the order alternates per pair. Each run prints its own tables (ratios storm /
# quiet within the run), headed by which build it was and the load.
#
#   BASE=/path/to/base/dist bench/affinity-ab.sh PAIRS BENCH [ARGS...]      (as root, after make build)
# BRANCH=DIR measures a copy of this tree's build instead (so that a rebuild cannot change it mid-run).
#   e.g. PIN=1 BASE=/work/wt/base/target/dist bench/affinity-ab.sh 2 mount-storm.sh 6 200
#        BASE=... bench/affinity-ab.sh 2 noisy-neighbour.sh R 1000
# mount-storm.sh takes the tree from NESTLET_DIST, noisy-neighbour.sh from DIST: both are set.
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=$1
BENCH=$2
shift 2
: "${BASE:?BASE=DIR: the install tree to compare with}"
branch=${BRANCH:-$(pwd)/target/dist}
for p in $(seq "$PAIRS"); do
  if [ $((p % 2)) -eq 1 ]; then order="base branch"; else order="branch base"; fi
  for build in $order; do
    if [ "$build" = base ]; then dist=$BASE; else dist=$branch; fi
    echo "#### pair $p: $build ($dist), $(date -u +%H:%M) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    NESTLET_DIST=$dist DIST=$dist "bench/$BENCH" "$@"
    echo
  done
done
