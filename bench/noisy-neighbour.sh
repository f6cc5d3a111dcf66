#!/bin/sh
# Noisy neighbour: a quiet container B's virtual-file read latency and a new container's start
# (createRuntime hook) latency, quiet vs while container A storms: 16 processes reading A's
# /proc/meminfo in a loop and one process holding 1000 opens of it (the per-container cap is 1024).
# Rounds interleave the two phases (order alternating), so machine noise hits both alike.
# Needs root, a built tree (make build), runc, gcc.
#   bench/noisy-neighbour.sh [ROUNDS] [READS]    defaults: 6 rounds, 2000 reads of each file per phase
#   DIST=/path/to/dist bench/noisy-neighbour.sh   another build (e.g. main's) for a before/after
#   NESTLETD_ARGS="--vfs-inflight 2" bench/noisy-neighbour.sh   extra nestletd options
#   NESTLETD_ARGS="--container-cpu-budget 0" bench/noisy-neighbour.sh   without the CPU budget
# Not in it: a mount storm through the seccomp agent (the containers start on the hook path, with no
# prepare and no agent).
# Everything lives in a temp dir under /var/tmp, removed at exit; processes are stopped by PID.
set -eu
ROUNDS=${1:-6}
READS=${2:-2000}
STARTS=5
here=$(cd "$(dirname "$0")" && pwd)
dist=${DIST:-$here/../target/dist}
[ -x "$dist/bin/nestletd" ] || { echo "no $dist/bin/nestletd: run 'make build' first" >&2; exit 1; }
work=$(mktemp -d /var/tmp/nestlet-noisy-XXXXXX)
chmod 711 "$work"
daemon=""
ids=""
cleanup() {
  for id in $ids; do
    runc --root "$work/rt" kill "$id" KILL 2>/dev/null || true
  done
  sleep 0.3
  for id in $ids; do
    runc --root "$work/rt" delete --force "$id" 2>/dev/null || true
  done
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  grep -q " $work/state/vfs " /proc/self/mountinfo && umount -l "$work/state/vfs"
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT INT TERM

# shellcheck disable=SC2086
"$dist/bin/nestletd" --socket "$work/nestlet.sock" --state-dir "$work/state" --fd-store none \
  ${NESTLETD_ARGS:-} >"$work/nestletd.log" 2>&1 &
daemon=$!

root=$work/rootfs
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp /bin/busybox "$root/bin/"
for a in sh cat sleep kill; do ln -s busybox "$root/bin/$a"; done
gcc -O2 -static -o "$root/bin/vfsread" "$here/vfsread.c"

# bundle ID CPU: a container on the shared root, pinned to one CPU, with nestlet's hooks.
bundle() {
  mkdir -p "$work/$1"
  (cd "$work/$1" && runc spec)
  python3 - "$dist" "$work" "$1" "$2" <<'PY'
import json, sys
dist, work, id, cpu = sys.argv[1:]
p = work + "/" + id + "/config.json"
c = json.load(open(p))
c["root"] = {"path": work + "/rootfs", "readonly": False}
c["process"]["args"] = ["sleep", "3600"]
c["process"]["terminal"] = False
c["annotations"] = {"io.nestlet.mode": "system"}
c["linux"]["resources"] = {"memory": {"limit": 256 << 20}, "cpu": {"cpus": cpu}}
c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/tmp"] + [
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=16m"]}]
hook = lambda stage: {"path": dist + "/bin/nestlet-hook", "args": ["nestlet-hook", stage],
                      "env": ["NESTLET_SOCKET=" + work + "/nestlet.sock"], "timeout": 30}
c["hooks"] = {"createRuntime": [hook("createRuntime")], "poststop": [hook("poststop")]}
json.dump(c, open(p, "w"), indent=1)
PY
}
for i in $(seq 100); do
  [ -S "$work/nestlet.sock" ] && grep -q "ready on" "$work/nestletd.log" && break
  sleep 0.1
done
quiet=quiet-$$; noisy=noisy-$$; probe=probe-$$
bundle "$quiet" 0; bundle "$noisy" 1; bundle "$probe" 0
ids="$quiet $noisy"
(cd "$work/$quiet" && runc --root "$work/rt" run -d "$quiet")
(cd "$work/$noisy" && runc --root "$work/rt" run -d "$noisy")
rx() { id=$1; shift; runc --root "$work/rt" exec "$id" "$@"; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

storm_on() {
  # the background processes let go of runc exec's stdio, or it would wait for them
  rx "$noisy" sh -c 'rm -f /tmp/stop; /bin/vfsread hold 1000 /proc/meminfo > /tmp/hold.out 2>&1 </dev/null &
    echo $! > /tmp/hold.pid
    rm -f /tmp/storm.done
    (while [ ! -e /tmp/stop ]; do /bin/vfsread tput 1 16 /proc/meminfo; done; touch /tmp/storm.done) \
      >/dev/null 2>&1 </dev/null &'
  sleep 1
}
storm_off() {
  # a file, not kill -0: the storm's orphans are never reaped (the container's init is sleep)
  rx "$noisy" sh -c 'touch /tmp/stop; kill $(cat /tmp/hold.pid); while [ ! -e /tmp/storm.done ]; do sleep 0.1; done'
}
# One phase: B's latency table rows (label p50 p99), then STARTS start times of the probe container.
phase() {
  rx "$quiet" /bin/vfsread lat "$READS" meminfo=/proc/meminfo uptime=/proc/uptime |
    awk -v ph="$1" 'NR > 1 {print ph, "read-" $1, $2, $4}'
  for s in $(seq "$STARTS"); do
    t0=$(ms)
    (cd "$work/$probe" && runc --root "$work/rt" create "$probe")
    t1=$(ms)
    runc --root "$work/rt" delete --force "$probe"
    echo "$1 start-ms $((t1 - t0)) $((t1 - t0))"
  done
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $dist ${NESTLETD_ARGS:-}"
echo "# $ROUNDS rounds x (quiet, storm) interleaved; per phase $READS reads of each file, $STARTS starts"
: > "$work/samples"
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then order="quiet storm"; else order="storm quiet"; fi
  for ph in $order; do
    [ "$ph" = storm ] && storm_on
    phase "$ph" >> "$work/samples"
    [ "$ph" = storm ] && storm_off
  done
  echo "round $r done, load $(cut -d' ' -f1 /proc/loadavg)"
done
echo "## the noisy one's holder: $(rx "$noisy" cat /tmp/hold.out)"
echo "## medians over rounds (reads: us of each phase's p50 and p99; starts: ms, every start)"
python3 - "$work/samples" <<'PY'
import statistics, sys
from collections import defaultdict
rows = defaultdict(lambda: defaultdict(list))
for line in open(sys.argv[1]):
    ph, what, p50, p99 = line.split()
    rows[what][ph].append((float(p50), float(p99)))
print("%-14s %10s %10s %10s %10s %9s %9s" % ("what", "quiet p50", "storm p50", "quiet p99", "storm p99", "p50 x", "p99 x"))
for what, by in rows.items():
    q, s = by["quiet"], by["storm"]
    if what == "start-ms":  # one sample per start: p50 and p99 of all of them
        def pct(v, p): v = sorted(v); return v[min(len(v) - 1, int(len(v) * p))]
        qv, sv = [a for a, _ in q], [a for a, _ in s]
        m = (statistics.median(qv), statistics.median(sv), pct(qv, .99), pct(sv, .99))
    else:
        m = (statistics.median(a for a, _ in q), statistics.median(a for a, _ in s),
             statistics.median(b for _, b in q), statistics.median(b for _, b in s))
    print("%-14s %10.1f %10.1f %10.1f %10.1f %9.2f %9.2f" % (what, *m, m[1] / m[0], m[3] / m[2]))
PY
grep -c "refused with" "$work/nestletd.log" | sed 's/^/## refusal log lines: /' || true
# time each container's requests waited for its CPU budget (--container-cpu-budget), all phases
"$dist/bin/nestletctl" --socket "$work/nestlet.sock" metrics |
  sed -n "s/^nestlet_vfs_deferred_seconds_total{container=\"\(.*\)-$$\"} /## deferred s, \1: /p" || true
kill -0 "$daemon" && echo "## nestletd still up"
