#!/bin/sh
# Starts a Kubernetes-like node of the tests, the way kind enters a node:
# run by KubeNode under `unshare --mount --net --propagation private`, so
# nothing mounted here reaches the host and the node's network (CNI bridge,
# veths, iptables rules) is its own. ROOT is bind-mounted on itself and
# pivot_root'ed into (containerd looks its dirs up in mountinfo: a chroot is
# not enough); each SHARED path (the test dir, the install tree, the JVM) is
# bound at the same path inside, read-only unless it is the test dir, so that
# paths agree between the host and the node. A SHARED file is bound over the
# node's own (KubeNode binds the host's containerd 1.6 binaries that way).
# Then execs CMD.
#
#   enter-node.sh ROOT TESTDIR SHARED... -- CMD...
set -eu
root=$1; testdir=$2; shift 2
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /sys/fs/cgroup "$root/sys/fs/cgroup"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=755 tmpfs "$root/run"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
mkdir -p "$root$testdir"
mount --bind "$testdir" "$root$testdir"
while [ "$1" != "--" ]; do
  if [ -d "$1" ]; then
    mkdir -p "$root$1"
  else
    mkdir -p "$(dirname "$root$1")"; [ -e "$root$1" ] || : > "$root$1"
  fi
  mount --bind "$1" "$root$1"
  mount -o remount,bind,ro "$root$1"
  shift
done
shift
cd "$root"
mkdir -p .oldroot
pivot_root . .oldroot
umount -l /.oldroot
rmdir /.oldroot
# A root without iproute2 (DebianNode's minbase, which keeps the host's network) has none to bring up.
! command -v ip >/dev/null || ip link set lo up
exec "$@"
