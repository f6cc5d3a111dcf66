#!/bin/sh
# Issue 9: a one-container pod started through containerd 2.1's CRI (RunPodSandbox +
# CreateContainer + StartContainer), handler nestlet vs runc, same kubelet-like client,
# interleaved; deletion not timed. Runs KubePodStartBenchIT on a KubeNode (Debian sid
# node root built with debootstrap unless NESTLET_KUBE_NODE_ROOT names one).
# Then nestletd's own share, from its log: prepare and createRuntime per system container
# (two per pod: sandbox and container) and the sandbox's pod network move, median p90 max.
#   bench/kube-pods.sh [ROUNDS]
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-20}
load_before=$(cut -d" " -f1-3 /proc/loadavg)
mvn -B -q verify -Dit.test=KubePodStartBenchIT -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false \
  -Dnestlet.bench.kube=true -Dnestlet.bench.rounds="$rounds" \
  ${NESTLET_KUBE_NODE_ROOT:+-Dnestlet.it.kubeNodeRoot=$NESTLET_KUBE_NODE_ROOT} >/dev/null
echo "### pod start through CRI: $(date -u "+%F %H:%M") UTC, $(nproc) vCPU, kernel $(uname -r), load average $load_before before, $(cut -d" " -f1-3 /proc/loadavg) after"
echo
cat target/kube-pod-start.md
log=target/kube-pod-start-nestletd.log
# nearest-rank median, p90 and max of the numbers on stdin
stats() {
  sort -n | awk '{ a[NR] = $1 } END {
    if (NR == 0) { print "none"; exit }
    m = int((NR + 1) / 2); p = int(0.9 * NR + 0.999); if (p < 1) p = 1
    printf "median %s ms, p90 %s ms, max %s ms (n=%d)\n", a[m], a[p], a[NR], NR }'
}
echo
echo "nestletd's share ($log):"
echo "- prepare: $(sed -n 's/.* prepared [^ ]* in \([0-9]*\) ms.*/\1/p' "$log" | stats)"
echo "- createRuntime, all features: $(sed -n 's/.* registered [^ ]* in \([0-9]*\) ms.*/\1/p' "$log" | stats)"
echo "- of which the pod network move (sandboxes): $(sed -n 's/.*into its own network namespace in \([0-9]*\) ms.*/\1/p' "$log" | stats)"
