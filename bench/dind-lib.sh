# Shell helpers for benchmarks that run dockerd in a container built from the
# Debian + docker.io rootfs (bench/dind.sh, bench/ci-job.sh). Source it from
# the top of the tree; it brings scripts/lib.sh and bench/stats.sh along and
# defines functions only. Callers set $work (their temp dir, runc's state is
# $work/runc) and $cache (the bench cache).
. scripts/lib.sh
. bench/stats.sh

# dind_rootfs: the Debian 12 + docker.io rootfs in $cache/dind, debootstrapped once.
dind_rootfs() {
  mkdir -p "$cache"
  [ -d "$cache/dind" ] || scripts/debian-rootfs.sh "$cache/dind" docker.io openjdk-17-jre-headless ca-certificates
}

# dind_bundle ID [DATA_DIR]: a private overlay of the rootfs and an engine-like
# config.json under $work/ID whose init starts dockerd and sleeps; prints the
# bundle dir. Without DATA_DIR it is what an engine hands nestlet-runtime (no
# user namespace, no capabilities section: nestlet makes it a system
# container). With DATA_DIR it is the privileged container teams run today:
# all capabilities, every device allowed, no seccomp or masks, read-write /sys
# and cgroups, DATA_DIR bound on /var/lib/docker (dockerd cannot use overlay2
# on the rootfs' overlay).
dind_bundle() {
  local b=$work/$1 data=${2:-}
  mkdir -p "$b/upper" "$b/work" "$b/merged"
  mount -t overlay overlay -o "lowerdir=$cache/dind,upperdir=$b/upper,workdir=$b/work" "$b/merged"
  local sys_ro='"ro", ' caps='' extra_mounts='' resources=''
  if [ -n "$data" ]; then
    sys_ro=''
    caps=$(capsh --print | sed -n 's/^Bounding set =//p' | tr ',' '\n' | sed 's/^ *//;s/.*/"\U&"/' | paste -sd,)
    caps=", \"capabilities\": {\"bounding\": [$caps], \"effective\": [$caps], \"permitted\": [$caps]}"
    extra_mounts=", {\"destination\": \"/var/lib/docker\", \"type\": \"bind\", \"source\": \"$data\", \"options\": [\"rbind\", \"rw\"]}"
    resources=', "resources": {"devices": [{"allow": true, "access": "rwm"}]}'
  fi
  cat > "$b/config.json" <<JSON
{"ociVersion": "1.0.2",
 "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/",
   "args": ["sh", "-c", "dockerd > /var/log/dockerd.log 2>&1 & exec sleep infinity"],
   "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]$caps},
 "root": {"path": "$b/merged"}, "hostname": "$1",
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
   {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
   {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [${sys_ro}"nosuid", "noexec", "nodev"]},
   {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": [${sys_ro}"nosuid", "noexec", "nodev"]},
   {"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=755"]}$extra_mounts],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
   "cgroupsPath": "/nestlet-bench-$1"$resources}}
JSON
  echo "$b"
}

# pid_of ID: the init pid of a container in runc's state under $work/runc.
pid_of() { runc --root "$work/runc" state "$1" | grep '"pid"' | grep -o '[0-9]*'; }

# in_ct ID CMD...: runs CMD in every namespace of the container.
in_ct() { local p; p=$(pid_of "$1"); shift; nsenter -t "$p" -a "$@"; }

# clock: microseconds since the epoch.
clock() { echo "${EPOCHREALTIME/./}"; }
