#!/bin/sh
# Every benchmark of the project, each printing its Markdown section; `make bench` runs this.
# (hook-ab.sh compares two builds of nestletd and is run by hand: bench/hook-ab.sh DIST_A DIST_B.)
set -eu
cd "$(dirname "$0")"
./hook-overhead.sh
./cli-latency.sh
./runtime-overhead.sh
./shift-cost.sh
./vfs-latency.sh
./seccomp-notify.sh
./dind.sh
./ci-job.sh
./kube-pods.sh
./daemon-footprint.sh
./daemon-tiered.sh
./handover.sh
./standby.sh
