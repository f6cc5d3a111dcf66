#!/usr/bin/env bash
# What the nestlet hook path adds to a container start: `RUNTIME run` of
# `true` (busybox) with nestlet-hook at createRuntime and poststop and the
# io.nestlet.mode=system annotation (so nestletd registers the container and
# binds its inner data dirs), against the same container without hooks.
# Runs are interleaved (plain, nestlet, plain, ...) so machine noise hits both.
# Then nestletd's RSS after start and after MANY annotated containers.
#
#   bench/hook-overhead.sh [RUNS=50] [MANY=1000]      (as root, after make build)
# NESTLET_DIST=DIR measures another install tree than target/dist (to compare builds).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/stats.sh
RUNS=${RUNS:-${1:-50}}
MANY=${MANY:-${2:-1000}}
dist=${NESTLET_DIST:-$(pwd)/target/dist}

if [ "${NESTLET_BENCH_INNER:-}" = 1 ]; then
  # Inside a private mount namespace without cgroup2 (crun refuses this
  # machine's hybrid layout otherwise; see PLATFORM.md): the measuring loop.
  work=$1
  clock() { echo "${EPOCHREALTIME/./}"; }
  for rt in runc crun; do
    for i in $(seq 1 "$RUNS"); do
      for v in plain nestlet; do
        t0=$(clock)
        (cd "$work/$v" && $rt --root "$work/$rt-root" run "b-$v-$i" >/dev/null)
        t1=$(clock)
        echo $(( t1 - t0 )) >> "$work/$rt-$v.us"
      done
    done
  done
  for i in $(seq 1 "$MANY"); do
    (cd "$work/nestlet" && runc --root "$work/runc-root" run "many-$i" >/dev/null)
  done
  exit 0
fi

work=$(mktemp -d /var/tmp/nestlet-bench-XXXXXX)
chmod 711 "$work"
daemon_pid=""
cleanup() { set +e; stop_nestletd "$daemon_pid" "$work/state"; unmount_below "$work"; rm -rf --one-file-system "$work"; }
trap cleanup EXIT INT TERM

make_busybox_rootfs "$work/rootfs"
start_nestletd "$dist" "$work/nestlet.sock" "$work/state" "$work/nestletd.log"
daemon_pid=$NESTLETD_PID
sleep 2
rss_start=$(rss_kb "$daemon_pid")

# $1: bundle dir, $2: "hooks" or "".
write_bundle() {
  mkdir -p "$1"
  local hooks="" annotations=""
  if [ "$2" = hooks ]; then
    annotations='"annotations": {"io.nestlet.mode": "system"},'
    hooks='"hooks": {
      "createRuntime": [{"path": "'$dist'/bin/nestlet-hook", "args": ["nestlet-hook", "createRuntime"], "env": ["NESTLET_SOCKET='$work'/nestlet.sock"]}],
      "poststop": [{"path": "'$dist'/bin/nestlet-hook", "args": ["nestlet-hook", "poststop"], "env": ["NESTLET_SOCKET='$work'/nestlet.sock"]}]},'
  fi
  cat > "$1/config.json" <<JSON
{"ociVersion": "1.0.2",
 "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/", "args": ["true"],
             "env": ["PATH=/bin"], "noNewPrivileges": true},
 "root": {"path": "$work/rootfs"}, "hostname": "bench", $annotations $hooks
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]}}
JSON
}
write_bundle "$work/plain" ""
write_bundle "$work/nestlet" hooks

NESTLET_BENCH_INNER=1 RUNS=$RUNS MANY=$MANY unshare -m --propagation private \
  bash -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$0" "$1"' "$0" "$work"
rss_after=$(rss_kb "$daemon_pid")
registration_shares "$work/nestletd.log" 'b-nestlet-[0-9]*' "$work"
registered=$("$dist/bin/nestletctl" --socket "$work/nestlet.sock" ps -o json | grep -c '"id"' || true)

echo "### hook overhead: $(date -u +%Y-%m-%d), $(nproc) vCPU, kernel $(uname -r)"
echo
echo "Command: \`bench/hook-overhead.sh $RUNS $MANY\` ($RUNS interleaved runs per variant; times in ms)"
echo
echo "| runtime | variant | runs | median | p90 | p99 | max | median vs plain |"
echo "|---|---|---|---|---|---|---|---|"
for rt in runc crun; do
  read -r n pm p90 p99 mx < <(summarize "$work/$rt-plain.us")
  base=$pm
  printf '| %s | plain | %d | %.1f | %.1f | %.1f | %.1f | 1.00 |\n' "$rt" "$n" "$(bc -l <<< "$pm/1000")" \
    "$(bc -l <<< "$p90/1000")" "$(bc -l <<< "$p99/1000")" "$(bc -l <<< "$mx/1000")"
  read -r n nm p90 p99 mx < <(summarize "$work/$rt-nestlet.us")
  printf '| %s | nestlet hooks | %d | %.1f | %.1f | %.1f | %.1f | %.2f |\n' "$rt" "$n" "$(bc -l <<< "$nm/1000")" \
    "$(bc -l <<< "$p90/1000")" "$(bc -l <<< "$p99/1000")" "$(bc -l <<< "$mx/1000")" "$(bc -l <<< "$nm/$base")"
done
echo
echo "nestletd's share (its log; runc and crun together):"
echo
echo "| step | runs | median | p90 | p99 |"
echo "|---|---|---|---|---|"
print_registration_rows "$work"
echo
echo "nestletd RSS: $((rss_start / 1024)) MiB after start, $((rss_after / 1024)) MiB after $((RUNS * 2 + MANY)) annotated containers (still registered: $registered)."
