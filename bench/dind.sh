#!/usr/bin/env bash
# Docker-in-Docker in system containers: time from `nestlet-runtime run -d`
# until the system container's init runs (run -d returns once it is started)
# and until its inner `docker info` answers; inner `docker run --rm busybox
# true` against the same on a dockerd on the host, interleaved; nestletd's RSS
# per running system container (N containers, each with an idle dockerd).
#
#   bench/dind.sh [RUNS=10] [N=4]     (as root, after make build; debootstraps the image once into the cache)
# NESTLET_BENCH_CACHE (default /var/tmp/nestlet-bench-cache) keeps the Debian + docker.io rootfs.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/dind-lib.sh
RUNS=${1:-10}
N=${2:-4}
dist=$(pwd)/target/dist
cache=${NESTLET_BENCH_CACHE:-/var/tmp/nestlet-bench-cache}
dind_rootfs
work=$(mktemp -d /var/tmp/nestlet-bench-XXXXXX)
chmod 711 "$work"
daemon_pid="" host_dockerd=""
ids=()
cleanup() {
  set +e
  for id in "${ids[@]}"; do runc --root "$work/runc" delete --force "$id" >/dev/null 2>&1; done
  [ -n "$host_dockerd" ] && stop_pid "$host_dockerd"
  [ -f "$work/hostdocker/containerd.pid" ] && stop_pid "$(cat "$work/hostdocker/containerd.pid")"
  stop_nestletd "$daemon_pid" "$work/state"
  unmount_below "$work"
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT INT TERM

make_busybox_rootfs "$work/bb"
tar -C "$work/bb" -cf "$work/busybox.tar" .
start_nestletd "$dist" "$work/nestlet.sock" "$work/state" "$work/nestletd.log" --id-pool 9500000:9500000:$((65536 * (N + 2)))
daemon_pid=$NESTLETD_PID
sleep 1
rss0=$(rss_kb "$daemon_pid")

for i in $(seq 1 "$N"); do
  id=sc$i; ids+=("$id")
  b=$(dind_bundle "$id")
  t0=$(clock)
  (cd "$b" && NESTLET_SOCKET=$work/nestlet.sock "$dist/bin/nestlet-runtime" --root "$work/runc" run -d "$id" >/dev/null 2>&1)
  t1=$(clock)
  until in_ct "$id" docker info >/dev/null 2>&1; do sleep 0.02; done
  t2=$(clock)
  echo $(( (t1 - t0) / 1000 )) >> "$work/start.ms"
  echo $(( (t2 - t0) / 1000 )) >> "$work/info.ms"
done
sleep 3
rssN=$(rss_kb "$daemon_pid")

# A dockerd on the host, for the same `docker run --rm` outside.
mkdir -p "$work/hostdocker"
echo '{"deprecated-key-path": "'"$work"'/hostdocker/key.json"}' > "$work/hostdocker/daemon.json"
containerd --config /dev/null --root "$work/hostdocker/ctrd" --state "$work/hostdocker/ctrd-state" \
  --address "$work/hostdocker/ctrd.sock" > "$work/hostdocker/containerd.log" 2>&1 &
echo $! > "$work/hostdocker/containerd.pid"
dockerd --config-file "$work/hostdocker/daemon.json" --data-root "$work/hostdocker/data" \
  --exec-root "$work/hostdocker/exec" -H "unix://$work/hostdocker/docker.sock" --pidfile "$work/hostdocker/docker.pid" \
  --containerd "$work/hostdocker/ctrd.sock" --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
  > "$work/hostdocker/dockerd.log" 2>&1 &
host_dockerd=$!
hd() { docker -H "unix://$work/hostdocker/docker.sock" "$@"; }
until hd info >/dev/null 2>&1; do sleep 0.05; done
hd import "$work/busybox.tar" busybox:latest >/dev/null
in_ct sc1 sh -c 'cat > /tmp/bb.tar' < "$work/busybox.tar"
in_ct sc1 docker import /tmp/bb.tar busybox:latest >/dev/null
hd run --rm --network none busybox true; in_ct sc1 docker run --rm busybox true
for i in $(seq 1 "$RUNS"); do
  t0=$(clock); hd run --rm --network none busybox true; t1=$(clock)
  echo $(( (t1 - t0) / 1000 )) >> "$work/host.ms"
  t0=$(clock); in_ct sc1 docker run --rm busybox true; t1=$(clock)
  echo $(( (t1 - t0) / 1000 )) >> "$work/inner.ms"
done

echo "### Docker-in-Docker: $(date -u +%Y-%m-%d), $(nproc) vCPU, kernel $(uname -r)"
echo
echo "Command: \`bench/dind.sh $RUNS $N\` (ms; $N system containers started one after another, $RUNS interleaved docker runs)"
echo
echo "| what | n | median | p90 | max |"
echo "|---|---|---|---|---|"
row() { read -r n m p90 p99 mx < <(summarize "$2"); echo "| $1 | $n | $m | $p90 | $mx |"; }
row "nestlet-runtime run -d until the system container's init runs" "$work/start.ms"
row "... until its inner \`docker info\` answers" "$work/info.ms"
row "\`docker run --rm busybox true\` on a dockerd on the host" "$work/host.ms"
row "the same on the inner dockerd of a system container" "$work/inner.ms"
echo
echo "nestletd RSS: $((rss0 / 1024)) MiB idle, $((rssN / 1024)) MiB with $N system containers running dockerd: $(( (rssN - rss0) / N )) kB each."
