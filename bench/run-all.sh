#!/bin/sh
# Every benchmark of the project, each printing its Markdown section; `make bench` runs this.
set -eu
cd "$(dirname "$0")"
./hook-overhead.sh
./runtime-overhead.sh
./shift-cost.sh
./vfs-latency.sh
./seccomp-notify.sh
./dind.sh
./kube-pods.sh
./daemon-footprint.sh
./daemon-tiered.sh
