#!/usr/bin/env bash
# ID-mapped mounts against a recursive chown copy: how long nestletd's
# prepare takes to shift a busybox rootfs and a debootstrap Debian rootfs
# each way (nestletd --shift=idmap vs --shift=copy), N prepares each.
#
#   bench/shift-cost.sh [N=10]          (as root, after make build; debootstraps once into the cache)
# NESTLET_BENCH_CACHE (default /var/tmp/nestlet-bench-cache) keeps the Debian rootfs between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/stats.sh
N=${1:-10}
dist=$(pwd)/target/dist
cache=${NESTLET_BENCH_CACHE:-/var/tmp/nestlet-bench-cache}
mkdir -p "$cache"
[ -d "$cache/debian" ] || scripts/debian-rootfs.sh "$cache/debian"
work=$(mktemp -d /var/tmp/nestlet-bench-XXXXXX)
chmod 711 "$work"
pids=""
cleanup() { set +e; for p in $pids; do stop_pid "$p"; done; for m in idmap copy; do stop_keeper "$work/state-$m"; done; unmount_below "$work"; rm -rf --one-file-system "$work"; }
trap cleanup EXIT INT TERM
make_busybox_rootfs "$work/busybox"
cp -a "$cache/debian" "$work/debian"

for method in idmap copy; do
  start_nestletd "$dist" "$work/$method.sock" "$work/state-$method" "$work/$method.log" \
    --id-pool 7000000:7000000:262144 --shift "$method"
  pids="$pids $NESTLETD_PID"
done

for i in $(seq 1 "$N"); do
  for fs in busybox debian; do
    for method in idmap copy; do
      b=$work/b-$fs-$method; mkdir -p "$b"
      cat > "$b/config.json" <<JSON
{"ociVersion": "1.0.2", "process": {"args": ["/bin/true"], "cwd": "/", "user": {"uid": 0, "gid": 0}, "env": ["PATH=/usr/bin:/bin"]},
 "root": {"path": "$work/$fs"}, "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}],
 "linux": {"namespaces": [{"type": "mount"}, {"type": "pid"}]}}
JSON
      NESTLET_SOCKET=$work/$method.sock "$dist/bin/nestlet-runtime" --root "$work/runc" create --bundle "$b" "$fs-$i" >/dev/null
      runc --root "$work/runc" delete --force "$fs-$i"
    done
  done
done

files() { find "$1" -xdev | wc -l; }
echo "### rootfs shift: ID-mapped mounts vs chown copy: $(date -u +%Y-%m-%d), $(nproc) vCPU, kernel $(uname -r)"
echo
echo "Command: \`bench/shift-cost.sh $N\` (time of nestletd's prepare, ms, $N each)"
echo
echo "| rootfs | files | size | method | median | p90 | max |"
echo "|---|---|---|---|---|---|---|"
for fs in busybox debian; do
  for method in idmap copy; do
    grep -o "prepared $fs-[0-9]* in [0-9]* ms" "$work/$method.log" | awk '{print $4}' > "$work/$fs-$method.ms"
    read -r n m p90 p99 mx < <(summarize "$work/$fs-$method.ms")
    echo "| $fs | $(files "$work/$fs") | $(du -sh "$work/$fs" | cut -f1) | $method | $m | $p90 | $mx |"
  done
done
