#!/bin/sh
# Issue 9: a one-container pod started through containerd 2.1's CRI (RunPodSandbox +
# CreateContainer + StartContainer), handler nestlet vs runc, same kubelet-like client,
# interleaved; deletion not timed. Runs KubePodStartBenchIT on a KubeNode (Debian sid
# node root built with debootstrap unless NESTLET_KUBE_NODE_ROOT names one).
#   bench/kube-pods.sh [ROUNDS]
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-20}
mvn -B -q verify -Dit.test=KubePodStartBenchIT -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false \
  -Dnestlet.bench.kube=true -Dnestlet.bench.rounds="$rounds" \
  ${NESTLET_KUBE_NODE_ROOT:+-Dnestlet.it.kubeNodeRoot=$NESTLET_KUBE_NODE_ROOT} >/dev/null
echo "### pod start through CRI: $(date -u +%F), $(nproc) vCPU, kernel $(uname -r)"
echo
cat target/kube-pod-start.md
