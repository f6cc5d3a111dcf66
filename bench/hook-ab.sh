#!/usr/bin/env bash
# Two builds of nestletd side by side on the hook path: one nestletd from each
# install tree, `runc run true` of annotated busybox containers alternated
# between them (A, B, A, B...), so machine noise hits both alike. Compares what
# each nestletd logs of its own work at createRuntime ("registered ID in N ms
# (..., virtual files M)"): the whole registration and the virtual files' share.
# For changes to createRuntime, whose few milliseconds drown in a loaded
# machine's `runc run` times.
#
#   bench/hook-ab.sh DIST_A DIST_B [RUNS=60]      (as root; DIST: an install tree such as target/dist)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/stats.sh
dist_a=$(realpath "$1")
dist_b=$(realpath "$2")
RUNS=${3:-60}

work=$(mktemp -d /var/tmp/nestlet-bench-XXXXXX)
chmod 711 "$work"
pids=""
cleanup() {
  set +e
  for p in $pids; do stop_pid "$p"; done
  for v in a b; do stop_keeper "$work/$v/state"; done
  unmount_below "$work"
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT INT TERM

make_busybox_rootfs "$work/rootfs"
for v in a b; do
  dist=$dist_a
  [ $v = b ] && dist=$dist_b
  mkdir -p "$work/$v/bundle"
  start_nestletd "$dist" "$work/$v/nestlet.sock" "$work/$v/state" "$work/$v/nestletd.log"
  pids="$pids $NESTLETD_PID"
  cat > "$work/$v/bundle/config.json" <<JSON
{"ociVersion": "1.0.2",
 "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/", "args": ["true"],
             "env": ["PATH=/bin"], "noNewPrivileges": true},
 "root": {"path": "$work/rootfs"}, "hostname": "bench",
 "annotations": {"io.nestlet.mode": "system"},
 "hooks": {
   "createRuntime": [{"path": "$dist/bin/nestlet-hook", "args": ["nestlet-hook", "createRuntime"], "env": ["NESTLET_SOCKET=$work/$v/nestlet.sock"]}],
   "poststop": [{"path": "$dist/bin/nestlet-hook", "args": ["nestlet-hook", "poststop"], "env": ["NESTLET_SOCKET=$work/$v/nestlet.sock"]}]},
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]}}
JSON
done

for i in $(seq 1 "$RUNS"); do
  for v in a b; do
    (cd "$work/$v/bundle" && runc --root "$work/runc-root" run "ab-$v-$i" >/dev/null)
  done
done

echo "### hook path, two builds alternated: $(date -u +%Y-%m-%d), $(nproc) vCPU, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Command: \`bench/hook-ab.sh A B $RUNS\` ($RUNS alternated runc runs each; nestletd's own times from its log, ms)"
echo
echo "| build | step | runs | median | p90 | p99 |"
echo "|---|---|---|---|---|---|"
for v in a b; do
  registration_shares "$work/$v/nestletd.log" "ab-$v-[0-9]*" "$work/$v"
  print_registration_rows "$work/$v" | sed "s/^| of which: /| $v | /"
done
read -r _ ma _ < <(summarize "$work/a/vfs.us")
read -r _ mb _ < <(summarize "$work/b/vfs.us")
echo
[ "$ma" -gt 0 ] && printf "Virtual files, median B / A: %.2f\n" "$(bc -l <<< "$mb/$ma")"
