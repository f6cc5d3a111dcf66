#!/usr/bin/env bash
# Noisy neighbour through the seccomp agent (issue 11): a quiet system container's mount + umount2
# cycle (each one answered by nestletd) and its /proc/meminfo read, quiet vs while a noisy system
# container storms mount/umount over a hostile mount table (over 16 000 entries, names that are not
# UTF-8): every umount makes nestletd read that whole table. Both run through nestlet-runtime + runc
# (system mode, the agent serving). Rounds interleave the phases, order alternating.
#
#   bench/mount-storm.sh [ROUNDS=6] [CYCLES=200]     (as root, after make build)
# NESTLET_DIST=DIR measures another install tree than target/dist; NESTLETD_ARGS adds nestletd options;
# NESTLETD_JAVA_OPTS=-Dnestlet.mount-lookup=mountinfo makes the agent read whole mount tables, as
# kernels before 6.18 do (bench/mount-lookup.sh alternates both in one go).
# STORM=proc: the namespace workers' share instead (issue 11): the noisy one storms emulated
# `mount -t proc` and `mount -t sysfs` + umount (each made by a namespace worker in its namespaces),
# no hostile table; the quiet one times emulated proc mounts instead of tmpfs ones, and STARTS new
# system containers (default 3) are started and deleted per phase, `run -d` timed.
# PIN=1 pins the quiet one to CPU 0 and the noisy one to CPU 1 (as bench/noisy-neighbour.sh does),
# so that what the quiet one feels is nestletd's work, not the noisy one's own CPU; nestletd and
# the containers started per phase are not pinned.
# PROFILE=1 also prints where nestletd's time went in each kind of phase: per kind of thread
# (fuse, seccomp-handler, ns-worker, GC...) its CPU time and its time waiting on a run queue
# (/proc/PID/task/TID/schedstat), and the GC's pauses (-Xlog:gc, added to NESTLETD_JAVA_OPTS).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/stats.sh
ROUNDS=${1:-6}
CYCLES=${2:-200}
READS=$((CYCLES * 5))
STORM=${STORM:-tmpfs}
STARTS=${STARTS:-3}
dist=${NESTLET_DIST:-$(pwd)/target/dist}
work=$(mktemp -d /var/tmp/nestlet-bench-XXXXXX)
chmod 711 "$work"
daemon_pid=""
ids=""
cleanup() {
  set +e
  for id in $ids; do runc --root "$work/runc" delete --force "$id" >/dev/null 2>&1; done
  stop_nestletd "$daemon_pid" "$work/state"
  unmount_below "$work"
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT INT TERM

if [ "${PROFILE:-0}" = 1 ]; then
  export NESTLETD_JAVA_OPTS="${NESTLETD_JAVA_OPTS:-} -Xlog:gc:file=$work/gc.log:utctime"
fi
# shellcheck disable=SC2086 # NESTLETD_ARGS is a list of options
start_nestletd "$dist" "$work/nestlet.sock" "$work/state" "$work/nestletd.log" --id-pool 5400000:5400000:262144 \
  ${NESTLETD_ARGS:-}
daemon_pid=$NESTLETD_PID

# $1: name; the bundle of a busybox system container running sleep, with the bench's two programs.
system_bundle() {
  if [ -d "$work/template" ]; then
    mkdir -p "$work/$1" && cp -a "$work/template" "$work/$1/rootfs"
  else
    make_busybox_rootfs "$work/$1/rootfs"
    mkdir -p "$work/$1/rootfs/x"
    gcc -O2 -static -o "$work/$1/rootfs/bin/mountloop" bench/mountloop.c
    gcc -O2 -static -o "$work/$1/rootfs/bin/vfsread" bench/vfsread.c
    cp -a "$work/$1/rootfs" "$work/template"
  fi
  # $2: the CPUs the container may use (PIN=1), else any
  cpu=""; [ -z "${2:-}" ] || cpu=", \"cpu\": {\"cpus\": \"$2\"}"
  cat > "$work/$1/config.json" <<JSON
{"ociVersion": "1.0.2",
 "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/", "args": ["sleep", "3600"],
             "env": ["PATH=/bin:/sbin:/usr/bin:/usr/sbin"]},
 "root": {"path": "$work/$1/rootfs"}, "hostname": "$1",
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
            {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=16m"]}],
 "linux": {"resources": {"memory": {"limit": 268435456}$cpu},
           "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]}}
JSON
}
system_container() {
  system_bundle "$1" "${2:-}"
  (cd "$work/$1" && NESTLET_SOCKET=$work/nestlet.sock "$dist/bin/nestlet-runtime" --root "$work/runc" run -d "$1" \
    >/dev/null)
  ids="$ids $1"
}
quiet=quiet-$$ noisy=noisy-$$
if [ "${PIN:-0}" = 1 ]; then
  system_container "$quiet" 0
  system_container "$noisy" 1
else
  system_container "$quiet"
  system_container "$noisy"
fi
rx() { id=$1; shift; runc --root "$work/runc" exec "$id" "$@"; }

# The hostile table: a two-mount tree doubled 13 times by recursive binds, and a mount point named
# with bytes that are not UTF-8, a space and a newline.
entries="no hostile table (STORM=proc)"
[ "$STORM" = proc ] || entries=$(rx "$noisy" sh -c 'mkdir -p /t && mount -t tmpfs t /t && mkdir /t/a && mount -t tmpfs a /t/a &&
  for i in $(seq 13); do mkdir /t/b$i && mount --rbind /t /t/b$i || exit 1; done
  n=$(printf "/m/\377\376 \nx"); mkdir -p "$n" && mount -t tmpfs odd "$n" && wc -l < /proc/self/mountinfo')

# nestletd's CPU time so far (utime + stime, clock ticks)
daemon_ticks() { awk '{print $14 + $15}' "/proc/$daemon_pid/stat"; }
# nestletd's threads now: "TID KIND RUN_NS WAIT_NS" (KIND: the name without its number)
thread_times() {
  for t in /proc/"$daemon_pid"/task/*; do
    k=$(sed 's/[-#]*[0-9]*$//; s/ /_/g' "$t/comm" 2>/dev/null) || continue
    read -r run wait _ < "$t/schedstat" 2>/dev/null || continue
    echo "${t##*/} $k $run $wait"
  done
}
# $1: phase; what each kind of thread used since the snapshot in $work/threads.before
profile_phase() {
  thread_times | awk -v ph="$1" 'NR == FNR {r[$1] = $3; w[$1] = $4; next}
    {cpu[$2] += $3 - r[$1]; rq[$2] += $4 - w[$1]} END {for (k in cpu) print ph, k, cpu[k], rq[k]}' \
    "$work/threads.before" - >> "$work/profile"
}
storm_on() {
  # the loops let go of runc exec's stdio, or it would wait for them; each counts its cycles; in
  # STORM=proc, loops 2 and 4 mount sysfs
  rx "$noisy" sh -c 'rm -f /tmp/stop /tmp/done.*; for d in 1 2 3 4; do mkdir -p /s$d
    t='"$STORM"'; [ $t = proc ] && [ $((d % 2)) = 0 ] && t=sysfs
    (i=0; while [ ! -e /tmp/stop ]; do mount -t $t s /s$d && umount /s$d; i=$((i + 1)); done
     echo $i > /tmp/done.$d) >/dev/null 2>&1 </dev/null &
    done'
  sleep 1
}
storm_off() {
  rx "$noisy" sh -c 'touch /tmp/stop; while [ $(ls /tmp/done.* 2>/dev/null | wc -l) -lt 4 ]; do sleep 0.1; done
    cat /tmp/done.*' >> "$work/storm.cycles"
}
# One phase: the quiet one's read p50/p99 (us) into reads.<phase>, its cycles (us) into cycles.<phase>.
# In STORM=proc, its emulated proc mounts, and STARTS new containers' `run -d` (ms) into starts.<phase>.
phase() {
  rx "$quiet" /bin/vfsread lat "$READS" meminfo=/proc/meminfo | awk 'NR > 1 {print $2, $4}' >> "$work/reads.$1"
  if [ "$STORM" = proc ]; then fs=proc; else fs=tmpfs; fi
  rx "$quiet" /bin/mountloop "$fs" /x "$CYCLES" each | tail -n +2 >> "$work/cycles.$1"
  [ "$STORM" = proc ] || return 0
  for s in $(seq "$STARTS"); do
    late=late-$$-$1-$r-$s
    ids="$ids $late"
    system_bundle "$late"
    s0=$(date +%s%N)
    (cd "$work/$late" && NESTLET_SOCKET=$work/nestlet.sock "$dist/bin/nestlet-runtime" --root "$work/runc" run -d \
      "$late" >/dev/null)
    echo $((($(date +%s%N) - s0) / 1000000)) >> "$work/starts.$1"
    runc --root "$work/runc" delete --force "$late" >/dev/null
    rm -rf --one-file-system "${work:?}/$late"
  done
}

lookup=$(grep -o "mount checks use [a-z]*" "$work/nestletd.log" | head -n 1 | awk '{print $4}')
echo "### Mount storm ($STORM) through the seccomp agent: $(date -u +%Y-%m-%d), $(nproc) vCPU, kernel $(uname -r), mount lookup $lookup"
echo
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then order="quiet storm"; else order="storm quiet"; fi
  for ph in $order; do
    t0=$(daemon_ticks) # a storm's from its start to its end, while its cycles are counted
    [ "$ph" = storm ] && storm_on
    w0=$(date +%s.%N)
    [ "${PROFILE:-0}" != 1 ] || thread_times > "$work/threads.before"
    phase "$ph"
    [ "${PROFILE:-0}" != 1 ] || profile_phase "$ph"
    echo "$ph $w0 $(date +%s.%N)" >> "$work/windows"
    [ "$ph" = storm ] && storm_off
    echo $(($(daemon_ticks) - t0)) >> "$work/ticks.$ph"
  done
  echo "round $r done, load $(cut -d' ' -f1 /proc/loadavg)" >&2
done
kill -0 "$daemon_pid"
echo "Command: \`PIN=${PIN:-0} STORM=$STORM NESTLETD_ARGS='${NESTLETD_ARGS:-}' bench/mount-storm.sh $ROUNDS $CYCLES\` ($ROUNDS rounds of (quiet, storm), order alternating;"
echo "per phase $CYCLES $fs mount + umount2 cycles and $READS reads of /proc/meminfo in the quiet container;"
[ "$STORM" = proc ] || entries="the noisy one's table: $entries mountinfo entries"
echo "$entries; load at the end $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| quiet container's | quiet p50 | storm p50 | quiet p99 | storm p99 | p50 x | p99 x |"
echo "|---|---|---|---|---|---|---|"
row() { # LABEL QP50 SP50 QP99 SP99
  printf '| %s | %s | %s | %s | %s | %.2f | %.2f |\n' "$1" "$2" "$3" "$4" "$5" \
    "$(bc -l <<< "$3/$2")" "$(bc -l <<< "$5/$4")"
}
read -r _ q50 _ q99 _ < <(summarize "$work/cycles.quiet")
read -r _ s50 _ s99 _ < <(summarize "$work/cycles.storm")
row "$fs mount + umount2 (us, all cycles)" "$q50" "$s50" "$q99" "$s99"
if [ "$STORM" = proc ]; then
  read -r _ q50 _ q99 _ < <(summarize "$work/starts.quiet")
  read -r _ s50 _ s99 _ < <(summarize "$work/starts.storm")
  row "new container's run -d (ms, $((ROUNDS * STARTS)) per phase)" "$q50" "$s50" "$q99" "$s99"
fi
for ph in quiet storm; do
  cut -d' ' -f1 "$work/reads.$ph" > "$work/p50.$ph"
  cut -d' ' -f2 "$work/reads.$ph" > "$work/p99.$ph"
done
row "meminfo read (us, median of the rounds' p50 / p99)" \
  "$(summarize "$work/p50.quiet" | cut -d' ' -f2)" "$(summarize "$work/p50.storm" | cut -d' ' -f2)" \
  "$(summarize "$work/p99.quiet" | cut -d' ' -f2)" "$(summarize "$work/p99.storm" | cut -d' ' -f2)"
ticks=$(getconf CLK_TCK)
total() { awk '{s += $1} END {print s + 0}' "$1"; }
printf '\nnestletd CPU per phase (s, total over the rounds): quiet %.2f, storm %.2f; storm cycles (mount + umount)\n' \
  "$(bc -l <<< "$(total "$work/ticks.quiet")/$ticks")" "$(bc -l <<< "$(total "$work/ticks.storm")/$ticks")"
printf 'in the storm phases: %d; nestletd CPU per storm cycle ((storm - quiet) / cycles): %.0f us\n' \
  "$(total "$work/storm.cycles")" \
  "$(bc -l <<< "($(total "$work/ticks.storm") - $(total "$work/ticks.quiet")) * 1000000 / $ticks / $(total "$work/storm.cycles")")"
if [ "${PROFILE:-0}" = 1 ]; then
  echo
  echo "Where nestletd's time went during the quiet container's measurements (s, summed over the rounds):"
  echo
  echo "| nestletd threads | CPU, quiet phases | CPU, storm phases | run-queue wait, quiet | run-queue wait, storm |"
  echo "|---|---|---|---|---|"
  awk '{c[$2 " " $1] += $3; w[$2 " " $1] += $4; k[$2] = 1}
    END {for (t in k) if (c[t " quiet"] + c[t " storm"] > 1e7)
      printf "| %s | %.2f | %.2f | %.2f | %.2f |\n", t, c[t " quiet"] / 1e9, c[t " storm"] / 1e9,
        w[t " quiet"] / 1e9, w[t " storm"] / 1e9}' "$work/profile" | sort
  # each GC pause in the phase whose window holds it
  grep Pause "$work/gc.log" | while read -r line; do
    ts=${line#[}; ts=${ts%%]*}
    ms=$(grep -o '[0-9.]*ms$' <<< "$line" | tr -d ms)
    echo "$(date -d "$ts" +%s.%N) $ms"
  done | awk 'NR == FNR {ph[NR] = $1; a[NR] = $2; b[NR] = $3; n = NR; next}
    {for (i = 1; i <= n; i++) if ($1 >= a[i] && $1 <= b[i]) {c[ph[i]]++; s[ph[i]] += $2; if ($2 > m[ph[i]]) m[ph[i]] = $2}}
    END {for (p in c) printf "GC pauses in the %s phases: %d, %.1f ms in all, the longest %.1f ms\n", p, c[p], s[p], m[p]}' \
    "$work/windows" - | sort
fi
echo
echo "nestletd still up after the storms."
