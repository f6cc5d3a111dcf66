#!/usr/bin/env bash
# Wall time of `make demo` (issue 12: a few minutes on a fresh machine) and
# where it goes, and the two ways of making the system container's root side
# by side: scripts/debian-rootfs.sh DIR docker.io (debootstrap and apt, what
# the demo used before) and scripts/docker-rootfs.sh DIR (busybox and this
# machine's Docker engine, what it uses now). Each round: the Debian root,
# the small root, then `make clean` (so that `make build` compiles everything,
# as in a fresh clone; Maven's repository and the apt packages of make deps
# stay) and `make demo`, its output time-stamped to split it into build, root
# and the rest. The load average is taken before and after each demo.
#
#   bench/demo.sh [ROUNDS=2]     (as root, from a clone where make deps has run)
# DEBIAN=0 leaves out the Debian root (10 minutes a round on a busy 2-vCPU VM).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/stats.sh
ROUNDS=${ROUNDS:-${1:-2}}
DEBIAN=${DEBIAN:-1}

work=$(mktemp -d /var/tmp/nestlet-bench-demo-XXXXXX)
cleanup() { set +e; rm -rf --one-file-system "$work"; }
trap cleanup EXIT INT TERM

clock() { echo "${EPOCHREALTIME/./}"; }
seconds() { bc -l <<< "($2 - $1) / 1000000"; }
timed() { # FILE COMMAND...: runs COMMAND, appends its wall time (s) to FILE
  local f=$1 t0
  shift
  t0=$(clock)
  "$@" > "$work/cmd.out" 2>&1 || { cat "$work/cmd.out" >&2; return 1; }
  seconds "$t0" "$(clock)" >> "$f"
}

for i in $(seq 1 "$ROUNDS"); do
  if [ "$DEBIAN" = 1 ]; then
    timed "$work/debian.s" scripts/debian-rootfs.sh "$work/debian" docker.io
    rm -rf --one-file-system "$work/debian"
  fi
  timed "$work/small.s" scripts/docker-rootfs.sh "$work/small"
  rm -rf --one-file-system "$work/small"

  make -s clean > /dev/null
  before=$(cut -d' ' -f1-3 /proc/loadavg)
  t0=$(clock)
  # Each line of the demo with the seconds since it started.
  make demo 2>&1 | while IFS= read -r line; do printf '%s %s\n' "$(seconds "$t0" "$(clock)")" "$line"; done > "$work/demo-$i.log" || true
  total=$(seconds "$t0" "$(clock)")
  after=$(cut -d' ' -f1-3 /proc/loadavg)
  grep -q "demo done in" "$work/demo-$i.log" || { tail -n 30 "$work/demo-$i.log" >&2; exit 1; }
  # The build ends where the demo prints its first heading; the root is made
  # before the heading that starts nestletd.
  build=$(awk '/== the system container/ {print $1; exit}' "$work/demo-$i.log")
  root=$(awk '/== nestletd on/ {print $1; exit}' "$work/demo-$i.log")
  printf '%s %s %s %s %s|%s\n' "$i" "$build" "$(bc -l <<< "$root - $build")" "$(bc -l <<< "$total - $root")" "$total" "$before -> $after" >> "$work/demo.rows"
done

echo "### make demo: $(date -u +%Y-%m-%d), $(nproc) vCPU, kernel $(uname -r)"
echo
echo "Command: \`bench/demo.sh $ROUNDS\` ($ROUNDS rounds, interleaved; wall times in s; \`make clean\` before each demo, so \`make build\` is a full build)"
echo
echo "| run | make deps + build | root | nestletd, doctor, container, dockerd, run, build, clean-up | make demo, total | load average before -> after |"
echo "|---|---|---|---|---|---|"
while IFS='|' read -r nums load; do
  read -r run build root rest total <<< "$nums"
  printf '| %s | %.0f | %.1f | %.0f | %.0f (%d min %02d s) | %s |\n' "$run" "$build" "$root" "$rest" "$total" \
    "$(bc <<< "$total / 60")" "$(bc <<< "$total % 60 / 1")" "$load"
done < "$work/demo.rows"
echo
echo "| root | runs | median | max | median vs Debian root |"
echo "|---|---|---|---|---|"
dm=""
if [ -f "$work/debian.s" ]; then
  read -r n dm p90 p99 mx < <(summarize "$work/debian.s")
  printf '| scripts/debian-rootfs.sh DIR docker.io | %d | %.1f | %.1f | 1.00 |\n' "$n" "$dm" "$mx"
fi
read -r n m p90 p99 mx < <(summarize "$work/small.s")
printf '| scripts/docker-rootfs.sh DIR | %d | %.1f | %.1f | %s |\n' "$n" "$m" "$mx" \
  "$([ -n "$dm" ] && printf '%.3f' "$(bc -l <<< "$m / $dm")" || echo -)"
