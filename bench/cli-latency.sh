#!/usr/bin/env bash
# Wall time of `nestletctl status` (issue 13: < 0.2 s): bin/nestletctl, the
# static C client, against bin/nestletctl-java, a JVM per call, both asking
# one nestletd on a private socket, and `java -version` (the floor of any
# JVM-based CLI). Runs are interleaved (C, Java, java -version, C, ...) so
# machine noise hits all; then nestletd's own time per status request, from
# its metrics.
#
#   bench/cli-latency.sh [RUNS=50]      (as root, after make build)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/stats.sh
RUNS=${RUNS:-${1:-50}}
dist=$(pwd)/target/dist

work=$(mktemp -d /var/tmp/nestlet-bench-cli-XXXXXX)
daemon_pid=""
cleanup() { set +e; stop_pid "$daemon_pid"; unmount_below "$work"; rm -rf --one-file-system "$work"; }
trap cleanup EXIT INT TERM

start_nestletd "$dist" "$work/nestlet.sock" "$work/state" "$work/nestletd.log" --fd-store none
daemon_pid=$NESTLETD_PID
sock=$work/nestlet.sock

clock() { echo "${EPOCHREALTIME/./}"; }
# One warm-up call each: the first status request also warms nestletd.
"$dist/bin/nestletctl" --socket "$sock" status >/dev/null
"$dist/bin/nestletctl-java" --socket "$sock" status >/dev/null
for i in $(seq 1 "$RUNS"); do
  for v in nestletctl nestletctl-java java-version; do
    t0=$(clock)
    if [ "$v" = java-version ]; then
      "${JAVA:-java}" -version 2>/dev/null
    else
      "$dist/bin/$v" --socket "$sock" status >/dev/null
    fi
    t1=$(clock)
    echo $(( t1 - t0 )) >> "$work/$v.us"
  done
done
load=$(cut -d' ' -f1-3 /proc/loadavg)
# nestletd's share: its request histogram (decoding to answer) for op="status".
metric() {
  "$dist/bin/nestletctl" --socket "$sock" metrics | awk -v s="$1" '$1 == s { print $2 }'
}
sum=$(metric 'nestlet_request_seconds_sum{op="status"}')
count=$(metric 'nestlet_request_seconds_count{op="status"}')

ms() { printf '%.1f' "$(bc -l <<< "$1/1000")"; }
echo "### nestletctl status: $(date -u +%Y-%m-%d), $(nproc) vCPU, kernel $(uname -r)"
echo
echo "Command: \`bench/cli-latency.sh $RUNS\` ($RUNS interleaved runs each; wall time of the whole process, ms; load average at the end: $load)"
echo
echo "| command | runs | median | p90 | p99 | max | median vs Java |"
echo "|---|---|---|---|---|---|---|"
read -r n jm jp90 jp99 jmx < <(summarize "$work/nestletctl-java.us")
row() { # label file
  local n m p90 p99 mx
  read -r n m p90 p99 mx < <(summarize "$2")
  printf '| %s | %d | %s | %s | %s | %s | %.3f |\n' "$1" "$n" "$(ms "$m")" "$(ms "$p90")" "$(ms "$p99")" "$(ms "$mx")" \
    "$(bc -l <<< "$m/$jm")"
}
read -r n cm cp90 cp99 cmx < <(summarize "$work/nestletctl.us")
row '`nestletctl status` (C)' "$work/nestletctl.us"
row '`nestletctl-java status`' "$work/nestletctl-java.us"
row '`java -version` alone' "$work/java-version.us"
echo
printf 'nestletd itself: %.1f ms per status request on average (%d requests, from nestlet_request_seconds).\n' \
  "$(bc -l <<< "$sum*1000/$count")" "${count%.*}"
if [ "$cm" -lt 200000 ]; then verdict="met"; else verdict="missed"; fi
echo
echo "Target (\`nestletctl status\` under 200 ms): $verdict by the C client, median $(ms "$cm") ms, p90 $(ms "$cp90") ms."
