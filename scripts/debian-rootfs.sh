#!/bin/sh
# Builds a Debian 12 root filesystem without a registry: debootstrap
# (minbase) from the machine's own apt mirror, then extra packages with apt
# in a chroot. Used by the Docker-in-Docker tests (docker.io) and benchmarks.
#
#   [SUITE=sid] scripts/debian-rootfs.sh DIR [PACKAGE...]
#
# SUITE (default bookworm) picks the Debian suite: the Kubernetes node rig
# takes containerd 2.x, runc 1.3 and crun from sid. BASE=ROOT starts from a
# copy of ROOT (a minbase root this script built before, of that suite)
# instead of a debootstrap: the tests build one and copy it.
# DIR is created; it must not exist. The mirror is read from the URIs line of
# /etc/apt/sources.list.d/debian.sources (or /etc/apt/sources.list) at run
# time and never written anywhere.
set -eu
dir=$1; shift
suite=${SUITE:-bookworm}
[ ! -e "$dir" ] || { echo "debian-rootfs: $dir exists" >&2; exit 1; }
mirror=$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || { echo "debian-rootfs: no Debian mirror configured for apt" >&2; exit 1; }
tmp=$dir.partial
rm -rf --one-file-system "$tmp"
if [ -n "${BASE:-}" ]; then
  cp -a "$BASE" "$tmp" >"$tmp.log" 2>&1 || { tail -20 "$tmp.log" >&2; exit 1; }
else
  debootstrap --variant=minbase "$suite" "$tmp" "$mirror" >"$tmp.log" 2>&1 || { tail -20 "$tmp.log" >&2; exit 1; }
fi
if [ $# -gt 0 ]; then
  # The chroot needs /proc and /dev for package scripts; unmounted right after, even on failure.
  mount -t proc proc "$tmp/proc"
  mount --bind /dev "$tmp/dev"
  trap 'umount -l "$tmp/dev" "$tmp/proc" 2>/dev/null || true' EXIT
  cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
  # No services may start inside the chroot.
  printf '#!/bin/sh\nexit 101\n' > "$tmp/usr/sbin/policy-rc.d"; chmod 755 "$tmp/usr/sbin/policy-rc.d"
  chroot "$tmp" sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $*" \
    >>"$tmp.log" 2>&1 || { tail -20 "$tmp.log" >&2; exit 1; }
  chroot "$tmp" apt-get clean
  rm -f "$tmp/usr/sbin/policy-rc.d" "$tmp/etc/resolv.conf"
  umount -l "$tmp/dev" "$tmp/proc"
  trap - EXIT
fi
rm -f "$tmp.log"
mv "$tmp" "$dir"
