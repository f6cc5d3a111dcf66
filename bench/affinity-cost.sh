#!/usr/bin/env bash
# Issue 11: the cost of moving nestletd's threads to a container's CPUs (bench/AffinityCost.java),
# with the install tree's jars and C1 only, as nestletd runs; JAVA (default java, a JDK: the source
# launcher needs jdk.compiler, which the bundled runtime leaves out) runs it.
#   bench/affinity-cost.sh [BATCHES=200]     (after make build; needs 2 CPUs for the move)
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${NESTLET_DIST:-$(pwd)/target/dist}
cp=$(LC_ALL=C; for jar in "$dist"/lib/*.jar; do printf '%s:' "$jar"; done)
echo "### Moving a thread to a container's CPUs: $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) vCPU, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Command: \`bench/affinity-cost.sh ${1:-200}\` (batches of 1000 calls; ns per call)"
echo
"${JAVA:-java}" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "${cp%:}" bench/AffinityCost.java "${1:-200}"
