#!/bin/sh
# Every benchmark of the project; `make bench` runs this.
set -eu
cd "$(dirname "$0")"
./vfs-latency.sh "$@"
