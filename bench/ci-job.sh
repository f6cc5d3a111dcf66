#!/usr/bin/env bash
# Issue 13's CI job, the same in two containers, run alternately: (a) the
# privileged container teams run today (runc, all capabilities, no user
# namespace, /var/lib/docker bound from a host directory); (b) a nestlet
# system container started through nestlet-runtime + runc (user namespace,
# ID-mapped rootfs, nestletd's host-backed /var/lib/docker). Each step is
# timed from the host: dockerd up (run -d until `docker info` answers),
# `docker import` of a busybox rootfs tar, three `docker run --rm` of it, a
# BuildKit and a legacy build FROM it with RUN steps (no registry). Prints
# per-step medians and p90 and the system/privileged ratio of the medians,
# then what nestletd was asked per step in the last system run (seccomp
# notifications by call and answer, FUSE requests by opcode).
#
#   bench/ci-job.sh [RUNS=5]     (as root, after make build; debootstraps the image once into the cache)
# NESTLET_BENCH_CACHE (default /var/tmp/nestlet-bench-cache) keeps the Debian + docker.io rootfs.
# NESTLET_DIST (default target/dist) picks the build to measure; NESTLETD_JAVA_OPTS reaches nestletd (e.g. a logging config with dev.nestlet.seccomp.level=FINE
# logs every CONTINUE with its reason).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/dind-lib.sh
RUNS=${1:-5}
dist=${NESTLET_DIST:-$(pwd)/target/dist}
cache=${NESTLET_BENCH_CACHE:-/var/tmp/nestlet-bench-cache}
dind_rootfs
work=$(mktemp -d /var/tmp/nestlet-bench-cijob-XXXXXX)
chmod 711 "$work"
sock=$work/nestlet.sock
daemon_pid="" current=""
cleanup() {
  set +e
  [ -n "$current" ] && stop_job
  stop_nestletd "$daemon_pid" "$work/state"
  [ -n "${KEEP_LOG:-}" ] && cp "$work/nestletd.log" "$KEEP_LOG"
  unmount_below "$work"
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT INT TERM

make_busybox_rootfs "$work/bb"
tar -C "$work/bb" -cf "$work/busybox.tar" .
start_nestletd "$dist" "$sock" "$work/state" "$work/nestletd.log" --id-pool 9700000:9700000:$((65536 * 4))
daemon_pid=$NESTLETD_PID
STEPS="start import run1 run2 run3 buildkit legacy"
DOCKERFILE='FROM bb\nRUN echo one > /one\nRUN for i in 1 2 3; do echo $i; done > /three\nRUN cat /one /three > /all && test -s /all\n'

# The seccomp notification and FUSE request counters of nestletd, one "name count" a line.
counters() {
  "$dist/bin/nestletctl" --socket "$sock" metrics |
    awk '/^nestlet_seccomp_notifications_total\{/ || /^nestlet_fuse_request_seconds_count\{/ {
      n = $1; sub(/^nestlet_seccomp_notifications_total/, "seccomp", n); sub(/^nestlet_fuse_request_seconds_count/, "fuse", n)
      gsub(/[a-z_]+="/, "", n); gsub(/"/, "", n); printf "%s %d\n", n, $2 }' | sort
}

# step NAME CMD...: runs CMD; appends its ms to $work/KIND.NAME.ms, or with
# counting on (count=1) writes what nestletd counted meanwhile to $work/counts.NAME.
step() {
  local name=$1 t0 t1; shift
  [ "$count" = 1 ] && counters > "$work/before"
  t0=$(clock)
  "$@" >/dev/null
  t1=$(clock)
  if [ "$count" = 0 ]; then
    echo $(( (t1 - t0) / 1000 )) >> "$work/$kind.$name.ms"
  else
    counters > "$work/after"
    join -a2 -e0 -o 0,1.2,2.2 "$work/before" "$work/after" | awk '$3 > $2 {print $1, $3 - $2}' > "$work/counts.$name"
  fi
}
# start_ct BUNDLE: run -d (its own time goes to $work/KIND.create.ms), then
# wait until the inner dockerd answers.
start_ct() {
  local t0=$(clock)
  if [ "$kind" = system ]; then
    (cd "$1" && NESTLET_SOCKET=$sock "$dist/bin/nestlet-runtime" --root "$work/runc" run -d "$current" >/dev/null 2>&1)
  else
    (cd "$1" && runc --root "$work/runc" run -d "$current" >/dev/null 2>&1)
  fi
  [ "$count" = 1 ] || echo $(( ($(clock) - t0) / 1000 )) >> "$work/$kind.create.ms"
  until in_ct "$current" docker info >/dev/null 2>&1; do sleep 0.02; done
}
stop_job() {
  if [ "$kind" = system ]; then
    NESTLET_SOCKET=$sock "$dist/bin/nestlet-runtime" --root "$work/runc" delete --force "$current" >/dev/null 2>&1
  else
    runc --root "$work/runc" delete --force "$current" >/dev/null 2>&1
  fi
  umount "$work/$current/merged"
  rm -rf --one-file-system "${work:?}/$current"
  current=""
}

# job KIND(privileged|system) N
job() {
  kind=$1 current=ci-$1-$2
  local data="" b
  if [ "$kind" = privileged ]; then data=$work/$current/var-lib-docker; mkdir -p "$data"; fi
  b=$(dind_bundle "$current" $data)
  step start start_ct "$b"
  in_ct "$current" sh -c 'cat > /tmp/bb.tar' < "$work/busybox.tar"
  in_ct "$current" sh -c "mkdir -p /tmp/ctx && printf '$DOCKERFILE' > /tmp/ctx/Dockerfile"
  step import in_ct "$current" docker import /tmp/bb.tar bb:latest
  for r in 1 2 3; do step run$r in_ct "$current" docker run --rm bb true; done
  step buildkit in_ct "$current" env DOCKER_BUILDKIT=1 docker build -q -t bk /tmp/ctx
  step legacy in_ct "$current" env DOCKER_BUILDKIT=0 docker build -q -t legacy /tmp/ctx
  stop_job
}

count=0
for i in $(seq 1 "$RUNS"); do
  # Alternate which goes first, so neither always follows the other's teardown.
  if [ $((i % 2)) = 1 ]; then job privileged "$i"; job system "$i"; else job system "$i"; job privileged "$i"; fi
  echo "run $i of $RUNS done" >&2
done
# One more system run, untimed, with nestletd's counters read around each step.
count=1 job system counted
for k in privileged system; do
  for i in $(seq 1 "$RUNS"); do
    t=0; for s in $STEPS; do t=$((t + $(sed -n "${i}p" "$work/$k.$s.ms"))); done
    echo "$t" >> "$work/$k.total.ms"
  done
  cat "$work/$k.run1.ms" "$work/$k.run2.ms" "$work/$k.run3.ms" > "$work/$k.run.ms"
done

echo "### CI job: system container vs privileged container: $(date -u +%Y-%m-%d), $(nproc) vCPU, kernel $(uname -r), $(runc --version | head -1)"
echo
echo "Command: \`bench/ci-job.sh $RUNS\` (ms, $RUNS runs of each, alternated; ratio = system median / privileged median)"
echo
echo "| step | privileged median | p90 | system median | p90 | ratio |"
echo "|---|---|---|---|---|---|"
for s in start create import run buildkit legacy total; do
  read -r _ pm pp _ _ < <(summarize "$work/privileged.$s.ms")
  read -r _ sm sp _ _ < <(summarize "$work/system.$s.ms")
  label=$s; [ "$s" = run ] && label="run (each of 3)"; [ "$s" = start ] && label="start (run -d until \`docker info\` answers)"; [ "$s" = create ] && label="... of which run -d"
  echo "| $label | $pm | $pp | $sm | $sp | $(awk -v a="$sm" -v b="$pm" 'BEGIN { printf "%.2f", a / b }') |"
done
echo
echo "What nestletd was asked per step in one more system run:"
echo
echo "| step | seccomp notifications (call answer count) | FUSE requests (opcode count) |"
echo "|---|---|---|"
for s in $STEPS; do
  sc=$(awk '$1 ~ /^seccomp/ { sub(/^seccomp\{/, "", $1); sub(/\}$/, "", $1); sub(/,/, " ", $1); printf "%s%s %s", sep, $1, $2; sep = ", " }' "$work/counts.$s")
  fu=$(awk '$1 ~ /^fuse/ { sub(/^fuse\{/, "", $1); sub(/\}$/, "", $1); printf "%s%s %s", sep, $1, $2; sep = ", " }' "$work/counts.$s")
  echo "| $s | ${sc:-none} | ${fu:-none} |"
done
