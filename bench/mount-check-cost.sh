#!/usr/bin/env bash
# Issue 11: the kernel's side of one agent check on a storm's unmount, whole table against
# statmount (bench/mountcheck.c), in a private mount namespace holding the hostile table of
# bench/mount-storm.sh (a two-mount tmpfs tree doubled 13 times by recursive binds: over 16 000
# mounts) and a fresh tmpfs, the storm's leaf. nestletd's parse of the table comes on top of the
# read; statmount has none.
#
#   bench/mount-check-cost.sh [N=50]     (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
work=$(mktemp -d /var/tmp/nestlet-bench-XXXXXX)
holder=""
cleanup() {
  set +e
  [ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT INT TERM
gcc -O2 -o "$work/mountcheck" bench/mountcheck.c
# the holder's mounts live and die with its private namespace
unshare -m --propagation private sh -c "cd $work && mkdir t s && mount -t tmpfs t t && mkdir t/a &&
  mount -t tmpfs a t/a && for i in \$(seq 13); do mkdir t/b\$i && mount --rbind t t/b\$i || exit 1; done &&
  mount -t tmpfs s s && touch ready && exec sleep 600" &
holder=$!
until [ -e "$work/ready" ]; do kill -0 "$holder"; sleep 0.2; done
echo "### One check's kernel cost: $(date -u +%Y-%m-%d), $(nproc) vCPU, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Command: \`bench/mount-check-cost.sh $N\` ($N of each, on the storm's leaf tmpfs)"
"$work/mountcheck" "$holder" "$work/s" "$N"
