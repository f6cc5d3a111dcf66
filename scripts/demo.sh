#!/bin/sh
# make demo: what nestlet is for, as a user runs it. nestletd on a private
# socket; podman (configured in a private dir, like the tests' fixture) runs a
# system container (busybox and this machine's Docker engine, made by
# scripts/docker-rootfs.sh in seconds) with `--runtime nestlet-runtime` and
# podman's default confinement (no --privileged); inside, dockerd, `docker run` and a
# `docker build` with a RUN step; the container's own /proc/meminfo and id
# range; then everything is removed. Everything lives in one temporary
# directory (plus podman's short run root), removed at the end.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
dist=$(pwd)/target/dist
work=$(mktemp -d /var/tmp/nestlet-demo-XXXXXX)
chmod 711 "$work"
sock=$work/nestlet.sock
state=$work/state
# podman refuses a run root longer than 50 characters (docs/engines.md).
runroot=$(mktemp -d /var/tmp/nlpod-XXXXXX)
cgparent=/nestlet-demo-${work##*-}
daemon_pid=""
export CONTAINERS_CONF=$work/podman/containers.conf
export CONTAINERS_STORAGE_CONF=$work/podman/storage.conf
export CONTAINERS_REGISTRIES_CONF=$work/podman/registries.conf
export TMPDIR=$work/podman/tmp

cleanup() {
  set +e
  podman rm -f -t 0 demo >/dev/null 2>&1
  stop_nestletd "$daemon_pid" "$state"
  unmount_below "$work"
  unmount_below "$runroot"
  # podman's cgroups of the container, in every hierarchy (v1, hybrid, v2)
  find /sys/fs/cgroup -depth -type d -path "*$cgparent*" -exec rmdir {} + 2>/dev/null
  rm -rf --one-file-system "$work" "$runroot"
}
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
t0=$(date +%s)

say "the system container's root: busybox and this machine's docker.io, containerd, runc, iptables (scripts/docker-rootfs.sh)"
root=$work/root
scripts/docker-rootfs.sh "$root"
# The image docker runs inside: busybox, imported there (no registry needed).
make_busybox_rootfs "$work/busybox"
tar -C "$work/busybox" -cf "$root/root/busybox.tar" .
echo "$root ($(du -sh "$root" | cut -f1), $(find "$root" -type f | wc -l) files), made in $(($(date +%s) - t0)) s"

say "nestletd on $sock, id pool from $work/subuid"
echo "nestlet:9000000:262144" > "$work/subuid"
start_nestletd "$dist" "$sock" "$state" "$work/nestletd.log" --subuid "$work/subuid" --subgid "$work/subuid"
daemon_pid=$NESTLETD_PID
export NESTLET_SOCKET=$sock

say "nestletctl doctor (this machine, this nestletd and pool)"
"$dist/bin/nestletctl" doctor --state-dir "$state" --subuid "$work/subuid" --subgid "$work/subuid" || true

say "podman run --runtime nestlet-runtime (no --privileged), dockerd inside"
mkdir -p "$work/podman/tmp" "$work/podman/hooks.d" "$work/podman/net"
cat > "$CONTAINERS_CONF" <<CONF
[containers]
netns = "none"
# podman's default nofile limit is above what the kernel lets runc set here
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
log_driver = "k8s-file"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$work/podman/events.log"
tmp_dir = "$work/podman/libpod-tmp"
lock_type = "file"
static_dir = "$work/podman/storage/libpod"
volume_path = "$work/podman/storage/volumes"
hooks_dir = ["$work/podman/hooks.d"]
[network]
network_config_dir = "$work/podman/net"
CONF
printf '[storage]\ndriver = "overlay"\ngraphroot = "%s"\nrunroot = "%s"\n' "$work/podman/storage" "$runroot" > "$CONTAINERS_STORAGE_CONF"
echo 'unqualified-search-registries = []' > "$CONTAINERS_REGISTRIES_CONF"
shim=$work/nestlet-runtime
printf '#!/bin/sh\nNESTLET_SOCKET=%s exec %s "$@"\n' "$sock" "$dist/bin/nestlet-runtime" > "$shim"
chmod 755 "$shim"
echo "+ podman run -d --name demo --runtime $shim --memory 1g --cgroup-parent $cgparent --rootfs $root dockerd"
podman run -d --name demo --runtime "$shim" --memory 1g --cgroup-parent "$cgparent" \
  --rootfs "$root" sh -c 'exec dockerd > /var/log/dockerd.log 2>&1' >/dev/null
inside() { echo "+ $*"; podman exec demo sh -c "$*"; }
i=0
until podman exec demo docker info >/dev/null 2>&1; do
  # The root is a directory of this machine: its log is readable here even
  # when dockerd, and with it the container, has exited.
  i=$((i + 1)); [ $i -lt 120 ] || { tail -n 30 "$root/var/log/dockerd.log"; exit 1; }
  sleep 0.5
done
inside 'docker version --format "dockerd {{.Server.Version}} is up, storage driver $(docker info -f {{.Driver}})"'

say "inside: docker run"
inside 'docker import /root/busybox.tar busybox >/dev/null && docker run --rm busybox sh -c "echo hello from a container of the inner dockerd; id"'

say "inside: docker build with a RUN step"
inside 'mkdir -p /root/app && printf "FROM busybox\nRUN echo built by RUN > /built && chown 1000 /built\nCMD cat /built\n" > /root/app/Dockerfile && docker build -q -t app /root/app && docker run --rm app && ls -ln /var/lib/docker | head -3'

say "inside: the container's own /proc/meminfo (--memory 1g) and its user namespace"
inside 'head -n 3 /proc/meminfo; echo "uid_map: $(tr -s " " < /proc/self/uid_map)"'

say "on the host: nestletctl ps, allocations"
"$dist/bin/nestletctl" ps
"$dist/bin/nestletctl" allocations

say "podman rm -f demo: nestlet releases it"
podman rm -f -t 5 demo >/dev/null
i=0
until [ "$("$dist/bin/nestletctl" status | awk '$1 == "containers" {print $2}')" = 0 ]; do
  i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.2
done
"$dist/bin/nestletctl" ps
"$dist/bin/nestletctl" allocations
echo "container mounts left on the host: $(grep "$state" /proc/self/mountinfo | grep -vc " $state/vfs " || true) (nestletd's own FUSE mount at $state/vfs goes when it stops)"
say "demo done in $(($(date +%s) - t0)) s; the temporary dirs go now"
