#!/bin/sh
# make demo: start nestletd on a private socket, run system containers through
# it with runc (with and without a user namespace), show what they see, stop
# everything. Everything lives in one temporary directory, removed at the end.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
dist=$(pwd)/target/dist
work=$(mktemp -d /var/tmp/nestlet-demo-XXXXXX)
chmod 711 "$work"
sock=$work/nestlet.sock
state=$work/state
daemon_pid=""

cleanup() {
  set +e
  for id in demo-plain demo-userns; do runc --root "$work/runc" delete --force "$id" >/dev/null 2>&1; done
  stop_nestletd "$daemon_pid" "$state"
  unmount_below "$work"
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "busybox root filesystem"
rootfs=$work/rootfs
make_busybox_rootfs "$rootfs"
echo "$rootfs ($(du -sh "$rootfs" | cut -f1))"

say "nestletd on $sock"
start_nestletd "$dist" "$sock" "$state" "$work/nestletd.log"
daemon_pid=$NESTLETD_PID
cat "$work/nestletd.log"

# config.json: an ordinary runc container, annotated io.nestlet.mode=system,
# with nestlet-hook at createRuntime and poststop.
# $1: id, $2: more namespaces (JSON), $3: more fields of "linux" (JSON).
bundle() {
  b=$work/$1; mkdir -p "$b"
  cat > "$b/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/",
    "args": ["sh", "-c", "echo ready; sleep 600"],
    "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
    "capabilities": {"bounding": ["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_KILL"],
                     "effective": ["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_KILL"],
                     "permitted": ["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_KILL"]},
    "noNewPrivileges": true
  },
  "root": {"path": "$rootfs"},
  "hostname": "$1",
  "annotations": {"io.nestlet.mode": "system"},
  "hooks": {
    "createRuntime": [{"path": "$dist/bin/nestlet-hook", "args": ["nestlet-hook", "createRuntime"], "env": ["NESTLET_SOCKET=$sock"]}],
    "poststop": [{"path": "$dist/bin/nestlet-hook", "args": ["nestlet-hook", "poststop"], "env": ["NESTLET_SOCKET=$sock"]}]
  },
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid","mode=755"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid","noexec","nodev","ro"]}
  ],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}$2]$3
  }
}
JSON
  echo "$b"
}

run() {
  id=$1; b=$2
  (cd "$b" && runc --root "$work/runc" run -d "$id" > "$work/$id.out" 2>&1)
  say "inside $id: /var/lib/docker and friends"
  runc --root "$work/runc" exec "$id" sh -c '
    grep -E " /var/lib/(docker|containerd|buildkit) " /proc/self/mountinfo | awk "{print \$5, \"<-\", \$4, \"(\" \$(NF-2) \")\"}"
    echo "uid_map: $(cat /proc/self/uid_map | tr -s " ")"
    touch /var/lib/docker/written-by-container-root && ls -ln /var/lib/docker'
  echo "on the host: $(ls -ln "$state/data/$id/docker" | tail -n +2)"
}

run demo-plain "$(bundle demo-plain "" "")"
map='[{"containerID": 0, "hostID": 400000, "size": 65536}]'
run demo-userns "$(bundle demo-userns ', {"type": "user"}' ", \"uidMappings\": $map, \"gidMappings\": $map")"

say "nestletctl ps"
"$dist/bin/nestletctl" --socket "$sock" ps
say "nestletctl inspect demo-userns"
"$dist/bin/nestletctl" --socket "$sock" inspect demo-userns

say "delete both containers (poststop releases them)"
for id in demo-plain demo-userns; do runc --root "$work/runc" delete --force "$id"; done
"$dist/bin/nestletctl" --socket "$sock" ps
echo "data dirs left: $(ls "$state/data" | wc -l); container mounts left on the host: $(grep "$state" /proc/self/mountinfo | grep -vc " $state/vfs " || true) (nestletd's own FUSE mount at $state/vfs goes when it stops)"
say "demo done"
