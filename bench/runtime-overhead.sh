#!/usr/bin/env bash
# What nestlet-runtime adds to a container start: `run` of `true` (busybox)
# through nestlet-runtime + runc (system mode: exclusive range, ID-mapped
# rootfs, inner data dirs, hooks) against plain runc with the same kind of
# user namespace (0 -> a fixed range, rootfs left as is), interleaved.
#
#   bench/runtime-overhead.sh [RUNS=50]                 (as root, after make build)
# NESTLET_DIST=DIR measures another install tree than target/dist (to compare builds).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/stats.sh
RUNS=${1:-50}
dist=${NESTLET_DIST:-$(pwd)/target/dist}
work=$(mktemp -d /var/tmp/nestlet-bench-XXXXXX)
chmod 711 "$work"
daemon_pid=""
cleanup() { set +e; stop_nestletd "$daemon_pid" "$work/state"; [ -n "${KEEP_LOG:-}" ] && cp "$work/nestletd.log" "$KEEP_LOG"; unmount_below "$work"; rm -rf --one-file-system "$work"; }
trap cleanup EXIT INT TERM

make_busybox_rootfs "$work/rootfs"
# Plain runc's container root does not own this rootfs: its mount points must exist.
mkdir -p "$work/rootfs/sys/fs/cgroup"
start_nestletd "$dist" "$work/nestlet.sock" "$work/state" "$work/nestletd.log" --id-pool 5000000:5000000:262144
daemon_pid=$NESTLETD_PID

# $1: bundle dir, $2: extra "linux" JSON
write_bundle() {
  mkdir -p "$1"
  cat > "$1/config.json" <<JSON
{"ociVersion": "1.0.2",
 "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/", "args": ["true"],
             "env": ["PATH=/bin"], "noNewPrivileges": true},
 "root": {"path": "$work/rootfs"}, "hostname": "bench",
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["ro", "nosuid", "nodev", "noexec"]}],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}$2}}
JSON
}
map='[{"containerID": 0, "hostID": 6000000, "size": 65536}]'
clock() { echo "${EPOCHREALTIME/./}"; }
for i in $(seq 1 "$RUNS"); do
  write_bundle "$work/plain" ", {\"type\": \"user\"}], \"uidMappings\": $map, \"gidMappings\": $map"
  t0=$(clock); (cd "$work/plain" && runc --root "$work/runc" run "p$i" >/dev/null); t1=$(clock)
  echo $((t1 - t0)) >> "$work/plain.us"
  write_bundle "$work/shim" "]"
  t0=$(clock)
  (cd "$work/shim" && NESTLET_SOCKET=$work/nestlet.sock "$dist/bin/nestlet-runtime" --root "$work/runc" run "n$i" >/dev/null)
  t1=$(clock)
  echo $((t1 - t0)) >> "$work/shim.us"
done
grep -o 'prepared n[0-9]* in [0-9]* ms' "$work/nestletd.log" | awk '{print $4 * 1000}' > "$work/prepare.us"
registration_shares "$work/nestletd.log" 'n[0-9]*' "$work"

echo "### nestlet-runtime overhead: $(date -u +%Y-%m-%d), $(nproc) vCPU, kernel $(uname -r)"
echo
echo "Command: \`bench/runtime-overhead.sh $RUNS\` ($RUNS interleaved runs each; ms)"
echo
echo "| variant | runs | median | p90 | p99 | median vs plain |"
echo "|---|---|---|---|---|---|"
read -r n base p90 p99 mx < <(summarize "$work/plain.us")
printf '| runc run, user namespace | %d | %.1f | %.1f | %.1f | 1.00 |\n' "$n" "$(bc -l <<< "$base/1000")" \
  "$(bc -l <<< "$p90/1000")" "$(bc -l <<< "$p99/1000")"
read -r n m p90 p99 mx < <(summarize "$work/shim.us")
printf '| nestlet-runtime + runc (system mode) | %d | %.1f | %.1f | %.1f | %.2f |\n' "$n" "$(bc -l <<< "$m/1000")" \
  "$(bc -l <<< "$p90/1000")" "$(bc -l <<< "$p99/1000")" "$(bc -l <<< "$m/$base")"
read -r n m p90 p99 mx < <(summarize "$work/prepare.us")
printf '| of which: prepare in nestletd | %d | %.1f | %.1f | %.1f | |\n' "$n" "$(bc -l <<< "$m/1000")" \
  "$(bc -l <<< "$p90/1000")" "$(bc -l <<< "$p99/1000")"
print_registration_rows "$work" " |"
