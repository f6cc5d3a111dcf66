#!/bin/sh
# Latency and throughput of the virtual /proc files inside one runc container, three ways in one
# run: through nestlet (the container's own /proc), through lxcfs (bound at /lxcfs) and native
# (a second procfs at /nativeproc). Needs root, a built tree (make build), runc, lxcfs, gcc.
#   bench/vfs-latency.sh [ROUNDS] [SECONDS]     defaults: 10000 rounds, 10 s of throughput
# Everything lives in a temp dir under /var/tmp and is removed at exit; processes are stopped by PID.
set -eu
ROUNDS=${1:-10000}
SECONDS_TPUT=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
dist=$here/../target/dist
[ -x "$dist/bin/nestletd" ] || { echo "run 'make build' first" >&2; exit 1; }
work=$(mktemp -d /var/tmp/nestlet-bench-XXXXXX)
chmod 711 "$work"
id=bench-$$
daemon=""; lxcfs_pid=""
cleanup() {
  runc --root "$work/rt" kill "$id" KILL 2>/dev/null || true
  sleep 0.3
  runc --root "$work/rt" delete --force "$id" 2>/dev/null || true
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  [ -n "$lxcfs_pid" ] && kill "$lxcfs_pid" 2>/dev/null && wait "$lxcfs_pid" 2>/dev/null || true
  for m in "$work/lxcfs" "$work/state/vfs"; do
    grep -q " $m " /proc/self/mountinfo && umount -l "$m"
  done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT INT TERM

"$dist/bin/nestletd" --socket "$work/nestlet.sock" --state-dir "$work/state" --fd-store none >"$work/nestletd.log" 2>&1 &
daemon=$!
mkdir -p "$work/lxcfs"
lxcfs -f -p "$work/lxcfs.pid" "$work/lxcfs" >"$work/lxcfs.log" 2>&1 &
lxcfs_pid=$!

root=$work/bundle/rootfs
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/lxcfs" "$root/nativeproc"
cp /bin/busybox "$root/bin/"
for a in sh cat; do ln -s busybox "$root/bin/$a"; done
gcc -O2 -static -o "$root/bin/vfsread" "$here/vfsread.c"
cd "$work/bundle"
runc spec
python3 - "$dist" "$work" <<'PY'
import json, sys
dist, work = sys.argv[1], sys.argv[2]
c = json.load(open("config.json"))
c["process"]["args"] = ["sleep", "3600"]
c["process"]["terminal"] = False
c["annotations"] = {"io.nestlet.mode": "system"}
# No CPU quota: CFS throttling of the reader would swamp what is measured.
c["linux"]["resources"] = {"memory": {"limit": 256 << 20}, "cpu": {"cpus": "1"}}
c["mounts"] += [{"destination": "/lxcfs", "type": "bind", "source": work + "/lxcfs", "options": ["rbind", "ro"]},
                {"destination": "/nativeproc", "type": "proc", "source": "proc"}]
hook = lambda stage: {"path": dist + "/bin/nestlet-hook", "args": ["nestlet-hook", stage],
                      "env": ["NESTLET_SOCKET=" + work + "/nestlet.sock"], "timeout": 30}
c["hooks"] = {"createRuntime": [hook("createRuntime")], "poststop": [hook("poststop")]}
json.dump(c, open("config.json", "w"), indent=1)
PY
ln -sf /bin/busybox "$root/bin/sleep"
for i in $(seq 100); do
  [ -S "$work/nestlet.sock" ] && grep -q "ready on" "$work/nestletd.log" && [ -e "$work/lxcfs/proc/meminfo" ] && break
  sleep 0.1
done
runc --root "$work/rt" run -d "$id"
rx() { runc --root "$work/rt" exec "$id" "$@"; }
cpu_ms() { awk '{print ($14 + $15) * 10}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -r), $(nproc) CPUs, $(runc --version | head -1), $(lxcfs --version 2>&1 | head -1)"
echo "## open+read+close latency, $ROUNDS rounds interleaved (us)"
targets=""
for f in meminfo uptime cpuinfo stat; do
  targets="$targets nestlet-$f=/proc/$f lxcfs-$f=/lxcfs/proc/$f native-$f=/nativeproc/$f"
done
# shellcheck disable=SC2086
rx /bin/vfsread lat "$ROUNDS" $targets

echo "## throughput, 8 processes, $SECONDS_TPUT s each, /proc/meminfo"
for src in nestlet lxcfs native; do
  case $src in nestlet) p=/proc/meminfo; pid=$daemon;; lxcfs) p=/lxcfs/proc/meminfo; pid=$lxcfs_pid;;
    native) p=/nativeproc/meminfo; pid="";; esac
  before=${pid:+$(cpu_ms "$pid")}
  rss_max=0
  ( rx /bin/vfsread tput "$SECONDS_TPUT" 8 "$p" ) > "$work/tput.out" &
  job=$!
  while kill -0 "$job" 2>/dev/null; do
    if [ -n "$pid" ]; then r=$(rss_kb "$pid"); [ "$r" -gt "$rss_max" ] && rss_max=$r; fi
    sleep 0.5
  done
  wait "$job"
  if [ -n "$pid" ]; then
    echo "$src: $(cat "$work/tput.out"); server CPU $(( $(cpu_ms "$pid") - before )) ms, max RSS $rss_max kB"
  else
    echo "$src: $(cat "$work/tput.out")"
  fi
done
