#!/bin/sh
# Issue 11: a planned restart without a gap. 20 system containers read their virtual files and
# mount/unmount tmpfs in a loop; in each round nestletd is first replaced by `nestletd --take-over`
# (hand-over), then stopped with SIGTERM and started again (the restart without a hand-over), in
# the same run, interleaved. Prints the longest wait of a loop iteration across each switch (the
# worst container of the 20) per round, and the median and max over the rounds, both ways.
#   bench/handover.sh [ROUNDS]
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-5}
out=target/handover-bench.log
mkdir -p target
load_before=$(cut -d" " -f1-3 /proc/loadavg)
mvn -B verify '-Dit.test=RestartIT#plannedHandOverHasNoGapLikeAStopAndStart' -Dtest=none \
  -Dsurefire.failIfNoSpecifiedTests=false -Dnestlet.it.handoverRounds="$rounds" >"$out" 2>&1 \
  || { tail -50 "$out"; exit 1; }
echo "### planned restart: $(date -u "+%F %H:%M") UTC, $(nproc) vCPU, kernel $(uname -r), load average $load_before before, $(cut -d" " -f1-3 /proc/loadavg) after"
grep -a '\[RestartIT\]' "$out" | sed 's/^.*\[RestartIT\] //'
