#!/usr/bin/env bash
# nestletd's start-up and resident size, as a node sees them:
#  - exec -> socket serving and exec -> first container answered (a real `run` of busybox `true`
#    through nestlet-runtime + runc, started as soon as the socket exists), from nestletd's own log
#    (measured from the process's start time in /proc) and, for the socket, from this script's
#    clock; CPU time nestletd used until it served;
#  - RSS after start (warm-up done, 2 s later);
#  - nestletd's CPU while RUNNING system containers sit idle for IDLE seconds (its reconcile sweeps,
#    watchdog and metrics only), from utime + stime in /proc/PID/stat before and after;
# for each launcher variant, interleaved (VARIANTS, default: the install tree's runtime with its
# archive, the same runtime without the archive, the JDK 17 on PATH); then, for the first variant
# only, RSS with RUNNING system containers (busybox `sleep`) and after MANY started and removed.
#
#   bench/daemon-footprint.sh [RUNS=5] [RUNNING=100] [MANY=1000] [IDLE=60]   (as root, after make build)
# NESTLET_DIST=DIR measures another install tree than target/dist; a variant dist:DIR runs
# another build's install tree with its own runtime and archive (e.g. main against a branch:
# VARIANTS="bundled dist:/path/to/other/target/dist").
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/stats.sh
RUNS=${1:-5}
RUNNING=${2:-100}
MANY=${3:-1000}
IDLE=${4:-60}
dist=${NESTLET_DIST:-$(pwd)/target/dist}
jdk17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
VARIANTS=${VARIANTS:-bundled bundled-noarchive jdk17}
work=$(mktemp -d /var/tmp/nestlet-footprint-XXXXXX)
chmod 711 "$work"
daemon_pid=""
cleanup() {
  set +e
  for id in $(ls "$work/runc" 2>/dev/null); do runc --root "$work/runc" delete -f "$id" >/dev/null 2>&1; done
  stop_pid "$daemon_pid"
  unmount_below "$work"
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT INT TERM
make_busybox_rootfs "$work/rootfs"

java_of() {
  case $1 in
    bundled|dist:*) echo "" ;;
    bundled-noarchive) echo "$dist/runtime/bin/java" ;;
    jdk17) echo "$jdk17" ;;
  esac
}
tree_of() { case $1 in dist:*) echo "${1#dist:}" ;; *) echo "$dist" ;; esac; }
# A variant's name as a file name.
key() { local k=${1//\//_}; echo "${k//:/_}"; }
clock() { echo "${EPOCHREALTIME/./}"; }
# bundle DIR ARGS...: a system container's bundle (nestlet-runtime makes it one) running ARGS.
bundle() {
  _b=$1; shift
  mkdir -p "$_b"
  _args=$(printf '"%s",' "$@")
  cat > "$_b/config.json" <<JSON
{"ociVersion": "1.0.2",
 "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/", "args": [${_args%,}],
             "env": ["PATH=/bin"], "noNewPrivileges": true},
 "root": {"path": "$work/rootfs"}, "hostname": "bench",
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]}}
JSON
}
runtime() { NESTLET_SOCKET=$work/nestlet.sock "$dist/bin/nestlet-runtime" --root "$work/runc" "$@"; }
# start VARIANT: nestletd on a fresh state dir; waits for the socket; this script's ms in $ext.
start() {
  rm -rf --one-file-system "$work/state"
  rm -f "$work/nestlet.sock"
  _t0=$(clock)
  JAVA=$(java_of "$1") "$(tree_of "$1")/bin/nestletd" --socket "$work/nestlet.sock" --state-dir "$work/state" \
    --fd-store none --id-pool 7000000:7000000:$((65536 * (RUNNING + 4))) > "$work/nestletd.log" 2>&1 &
  daemon_pid=$!
  until [ -S "$work/nestlet.sock" ]; do
    kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/nestletd.log" >&2; exit 1; }
    sleep 0.002
  done
  ext=$(( ($(clock) - _t0) / 1000 ))
}
stop() { stop_pid "$daemon_pid"; daemon_pid=""; unmount_below "$work/state" || true; }
logged() { grep -o "$1" "$work/nestletd.log" | grep -o '[0-9]*' | tail -1; }

for i in $(seq 1 "$RUNS"); do
  for v in $VARIANTS; do
    start "$v"
    bundle "$work/b-first" true
    (cd "$work/b-first" && runtime run "first-$(key "$v")-$i" >/dev/null)
    until grep -q "warm-up done" "$work/nestletd.log"; do sleep 0.05; done
    sleep 2
    echo "$ext" >> "$work/$(key "$v").ext"
    logged 'serving [0-9]*' >> "$work/$(key "$v").serving"
    logged 'main [0-9]*' >> "$work/$(key "$v").main"
    logged 'first container answered [0-9]*' >> "$work/$(key "$v").first"
    grep -o 'start-up ms after exec: .*' "$work/nestletd.log" >> "$work/$(key "$v").phases"
    rss_kb "$daemon_pid" >> "$work/$(key "$v").rss"
    # CPU time until ready is not in /proc once it runs on; the total after start is an upper bound.
    awk '{print ($14 + $15) * 10}' "/proc/$daemon_pid/stat" >> "$work/$(key "$v").cpu"
    grep -i 'warning' "$work/nestletd.log" >&2 || true
    stop
  done
done

first=${VARIANTS%% *}
start "$first"
until grep -q "warm-up done" "$work/nestletd.log"; do sleep 0.05; done
sleep 2
rss_start=$(rss_kb "$daemon_pid")
for i in $(seq 1 "$RUNNING"); do
  bundle "$work/b-run-$i" sleep 3600
  (cd "$work/b-run-$i" && runtime run -d "run-$i" </dev/null >/dev/null 2>&1)
done
sleep 2
rss_running=$(rss_kb "$daemon_pid")
ticks() { awk '{print $14 + $15}' "/proc/$daemon_pid/stat"; }
# per thread: "TID:NAME TICKS" (a name's spaces made _)
thread_ticks() {
  for t in /proc/"$daemon_pid"/task/*; do
    echo "${t##*/}:$(tr ' ' _ < "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"
  done | sort
}
idle_before=$(ticks)
thread_ticks > "$work/idle-threads.before"
sleep "$IDLE"
idle_ms=$(( ($(ticks) - idle_before) * 1000 / $(getconf CLK_TCK) ))
# the threads that used most of it, by name (ms)
idle_threads=$(join "$work/idle-threads.before" <(thread_ticks) \
  | awk -v hz="$(getconf CLK_TCK)" '{split($1, n, ":"); ms[n[2]] += ($3 - $2) * 1000 / hz}
      END {for (k in ms) if (ms[k] > 0) printf "%d %s\n", ms[k], k}' \
  | sort -rn | head -5 | awk '{printf "%s%s %d ms", (NR > 1 ? ", " : ""), $2, $1}')
for i in $(seq 1 "$RUNNING"); do
  runtime kill "run-$i" KILL >/dev/null 2>&1 || true
done
for i in $(seq 1 "$RUNNING"); do
  runtime delete -f "run-$i" >/dev/null 2>&1 || true
done
t0=$(clock)
for i in $(seq 1 "$MANY"); do
  bundle "$work/b-many" true # prepare rewrites config.json for its container: a fresh one each run
  (cd "$work/b-many" && runtime run "many-$i" >/dev/null)
done
many_s=$(( ($(clock) - t0) / 1000000 ))
sleep 2
rss_many=$(rss_kb "$daemon_pid")
left=$(NESTLET_SOCKET=$work/nestlet.sock "$dist/bin/nestletctl" ps 2>/dev/null | tail -n +2 | wc -l || true)
stop

echo "### nestletd start-up and footprint: $(date -u +%Y-%m-%d), $(nproc) vCPU, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Command: \`bench/daemon-footprint.sh $RUNS $RUNNING $MANY $IDLE\` ($RUNS interleaved starts per variant; ms from nestletd's exec, medians, p90 and max in brackets)"
echo
echo "| variant | JVM in main | socket serving (log) | socket serving (script) | first container answered | CPU ms after start | RSS after start, MB | serving vs jdk17 |"
echo "|---|---|---|---|---|---|---|---|"
base=""
[ -f "$work/jdk17.serving" ] && base=$(summarize "$work/jdk17.serving" | cut -d' ' -f2)
for v in $VARIANTS; do
  cell() { read -r _ m p90 _ mx < <(summarize "$work/$(key "$v").$1"); echo "$m ($p90, $mx)"; }
  read -r _ srv _ < <(summarize "$work/$(key "$v").serving")
  read -r _ rss _ < <(summarize "$work/$(key "$v").rss")
  ratio=""
  [ -n "$base" ] && ratio=$(printf '%.2f' "$(bc -l <<< "$srv/$base")")
  printf '| %s | %s | %s | %s | %s | %s | %.1f | %s |\n' "$v" "$(cell main)" "$(cell serving)" \
    "$(cell ext)" "$(cell first)" "$(cell cpu)" "$(bc -l <<< "$rss/1024")" "$ratio"
done
echo
echo "RSS of nestletd ($first), MB: after start $(printf '%.1f' "$(bc -l <<< "$rss_start/1024")"),"\
  "with $RUNNING running system containers $(printf '%.1f' "$(bc -l <<< "$rss_running/1024")"),"\
  "after $MANY more started and removed $(printf '%.1f' "$(bc -l <<< "$rss_many/1024")") ($MANY runs in $many_s s; containers left: $left)"
echo
echo "CPU of nestletd ($first) while the $RUNNING system containers were idle for $IDLE s: $idle_ms ms" \
  "($(printf '%.2f' "$(bc -l <<< "$idle_ms / $IDLE / 10")")% of one CPU); threads: $idle_threads"
echo
echo "Start-up phases of the last run of each variant (ms after exec):"
for v in $VARIANTS; do echo "- $v: $(tail -1 "$work/$(key "$v").phases" | sed 's/start-up ms after exec: //')"; done
