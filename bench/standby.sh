#!/bin/sh
# Issue 11: a crash with a warm standby. 20 system containers read their virtual files and
# mount/unmount tmpfs in a loop; in each round a standby (`nestletd --standby`) waits beside the
# serving nestletd, which gets SIGKILL, twice in a row (the standby that took over is killed in
# turn, with a new standby), then the serving one gets SIGKILL and a plain nestletd is started at
# once (a cold start), in the same run, interleaved. Prints the longest wait of a loop iteration
# across each kill (the worst container of the 20), and the median and max, both ways, with the
# standbys' steps from taking the serving lock to serving.
#   bench/standby.sh [ROUNDS]
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-3}
out=target/standby-bench.log
mkdir -p target
load_before=$(cut -d" " -f1-3 /proc/loadavg)
mvn -B verify '-Dit.test=RestartIT#aWarmStandbyServesOnceTheServingOneIsKilled' -Dtest=none \
  -Dsurefire.failIfNoSpecifiedTests=false -Dnestlet.it.standbyRounds="$rounds" >"$out" 2>&1 \
  || { tail -50 "$out"; exit 1; }
echo "### SIGKILL with a standby vs a cold start: $(date -u "+%F %H:%M") UTC, $(nproc) vCPU, kernel $(uname -r), load average $load_before before, $(cut -d" " -f1-3 /proc/loadavg) after"
grep -a '\[RestartIT\]' "$out" | sed 's/^.*\[RestartIT\] //'
