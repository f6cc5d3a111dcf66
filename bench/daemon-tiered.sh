#!/usr/bin/env bash
# Does a JIT setting of nestletd's launcher make the request path slower? Two nestletds side by
# side, one with the launcher as it is plus A_OPTS, one plus B_OPTS (NESTLETD_JAVA_OPTS); a `run`
# of busybox `true` through nestlet-runtime + runc against each, interleaved (A, B, A, B...),
# after WARM runs each so that both have compiled what they will; then each one's RSS.
#
#   A_OPTS= B_OPTS=-XX:TieredStopAtLevel=1 bench/daemon-tiered.sh [RUNS=30] [WARM=10]   (as root; NESTLET_DIST=install tree, default target/dist)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/stats.sh
RUNS=${1:-30}
WARM=${2:-10}
A_OPTS=${A_OPTS:-}
B_OPTS=${B_OPTS:--XX:TieredStopAtLevel=1}
dist=${NESTLET_DIST:-$(pwd)/target/dist}
work=$(mktemp -d /var/tmp/nestlet-tiered-XXXXXX)
chmod 711 "$work"
pid_a="" pid_b=""
cleanup() { set +e; stop_pid "$pid_a"; stop_pid "$pid_b"; unmount_below "$work"; rm -rf --one-file-system "$work"; }
trap cleanup EXIT INT TERM
make_busybox_rootfs "$work/rootfs"
NESTLETD_JAVA_OPTS=$A_OPTS start_nestletd "$dist" "$work/a.sock" "$work/a" "$work/a.log" \
  --fd-store none --id-pool 7000000:7000000:262144
pid_a=$NESTLETD_PID
NESTLETD_JAVA_OPTS=$B_OPTS start_nestletd "$dist" "$work/b.sock" "$work/b" "$work/b.log" \
  --fd-store none --id-pool 8000000:8000000:262144
pid_b=$NESTLETD_PID
mkdir -p "$work/bundle"
cat > "$work/bundle/config.json.in" <<JSON
{"ociVersion": "1.0.2",
 "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/", "args": ["true"],
             "env": ["PATH=/bin"], "noNewPrivileges": true},
 "root": {"path": "$work/rootfs"}, "hostname": "bench",
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]}}
JSON
clock() { echo "${EPOCHREALTIME/./}"; }
one() { # one V I: a run against daemon V, its wall time in us
  cp "$work/bundle/config.json.in" "$work/bundle/config.json"
  _t0=$(clock)
  (cd "$work/bundle" && NESTLET_SOCKET=$work/$1.sock "$dist/bin/nestlet-runtime" --root "$work/runc" run "$1-$2" >/dev/null)
  echo $(( $(clock) - _t0 ))
}
for i in $(seq 1 "$WARM"); do one a "w$i" >/dev/null; one b "w$i" >/dev/null; done
for i in $(seq 1 "$RUNS"); do one a "$i" >> "$work/a.us"; one b "$i" >> "$work/b.us"; done
echo "### nestletd JIT setting vs request path: $(date -u +%Y-%m-%d), $(nproc) vCPU, kernel $(uname -r)"
echo
echo "Command: \`A_OPTS='$A_OPTS' B_OPTS='$B_OPTS' bench/daemon-tiered.sh $RUNS $WARM\` (\`nestlet-runtime run\` of \`true\`, $RUNS interleaved runs each after $WARM to warm up; ms)"
echo
echo "| nestletd | median | p90 | max | median vs A | RSS after, MB |"
echo "|---|---|---|---|---|---|"
read -r _ base _ < <(summarize "$work/a.us")
for v in a b; do
  read -r _ m p90 _ mx < <(summarize "$work/$v.us")
  opts=$A_OPTS; [ $v = b ] && opts=$B_OPTS
  pid=$pid_a; [ $v = b ] && pid=$pid_b
  printf '| %s: launcher %s | %.1f | %.1f | %.1f | %.2f | %.1f |\n' "${v^^}" "${opts:-as is}" \
    "$(bc -l <<< "$m/1000")" "$(bc -l <<< "$p90/1000")" "$(bc -l <<< "$mx/1000")" \
    "$(bc -l <<< "$m/$base")" "$(bc -l <<< "$(rss_kb "$pid")/1024")"
done
