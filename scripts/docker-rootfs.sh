#!/bin/sh
# Builds, in a few seconds, a small root filesystem in which dockerd runs:
# a static busybox (sh and the usual tools) plus this machine's own Docker
# engine (docker.io's dockerd, docker CLI and docker-proxy, tini as
# docker-init, containerd and its runc shim, runc, iptables with its xtables
# modules) and the shared libraries they load, copied from the host, at the
# same paths. `make demo` starts its system container from it: building a
# Debian root with debootstrap and apt takes minutes (bench/RESULTS.md,
# issue 12), copying what scripts/install-deps.sh already installed
# takes seconds, and the engine inside is the same Debian 12 build.
# Copies, not hard links: root inside the container owns the root's files
# and must not be able to write to the host's binaries.
#
#   scripts/docker-rootfs.sh DIR
#
# DIR is created; it must not exist. Needs docker.io, containerd, runc,
# iptables, busybox-static and binutils (readelf) on this machine (scripts/install-deps.sh).
set -eu
dir=$1
[ ! -e "$dir" ] || { echo "docker-rootfs: $dir exists" >&2; exit 1; }
. "$(dirname "$0")/lib.sh"
# The Debian packages' paths: /usr/bin/docker is docker.io's CLI even where
# another docker is earlier in PATH.
xtables=/usr/sbin/xtables-nft-multi
bins="/usr/sbin/dockerd /usr/bin/docker /usr/sbin/docker-proxy /usr/bin/tini-static
  /usr/bin/containerd /usr/bin/containerd-shim-runc-v2 /usr/sbin/runc $xtables"
for b in $bins; do
  [ -x "$b" ] || { echo "docker-rootfs: $b missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
tmp=$dir.partial
rm -rf --one-file-system "$tmp"
make_busybox_rootfs "$tmp"
# Where this machine's /usr is merged (Debian 12), /lib and /lib64 are links
# into /usr in the root too: libxtables looks for its modules at the
# /usr/lib path it was built with, whatever path ldd names it by.
for l in lib lib64; do
  [ ! -L "/$l" ] || { mkdir -p "$tmp/$(readlink "/$l")"; ln -s "$(readlink "/$l")" "$tmp/$l"; }
done
for b in $bins; do
  mkdir -p "$tmp$(dirname "$b")"
  # busybox may have put an applet's symlink there: cp would write through it.
  rm -f "$tmp$b"
  cp "$b" "$tmp$b"
done
ln -sf tini-static "$tmp/usr/bin/docker-init"
# dockerd runs iptables (nft backend, as Debian 12's default alternative).
for t in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  rm -f "$tmp/usr/sbin/$t"
  ln -s xtables-nft-multi "$tmp/usr/sbin/$t"
done
# iptables loads its match and target modules with dlopen; ldd does not list them.
modules=$(dirname "$(ldd "$xtables" | sed -n 's#.*=> \(/[^ ]*libxtables\.so[^ ]*\) .*#\1#p')")/xtables
mkdir -p "$tmp$modules"
cp "$modules"/*.so "$tmp$modules/"
# ldd runs the loader a few times per file: for 120 modules that is a minute
# on a busy machine. Nearly all need only libxtables and libc, which
# xtables-nft-multi loads too; ldd sees only the few that need more.
{
  for b in $bins; do echo "$b"; done
  readelf -d "$modules"/*.so | awk '/^File: / {f = $2} /NEEDED/ && !/libxtables\.so|libc\.so/ {print f}' | sort -u
} | copy_shared_libs "$tmp"
mkdir -p "$tmp/root" "$tmp/run" "$tmp/var/lib/docker" "$tmp/var/log"
ln -s ../run "$tmp/var/run"
# dockerd's `docker info` names the system from os-release.
printf 'PRETTY_NAME="nestlet demo root (busybox, docker.io %s)"\nID=nestlet-demo\n' \
  "$(/usr/sbin/dockerd --version | sed 's/^Docker version \([^,]*\),.*/\1/')" > "$tmp/etc/os-release"
# dockerd gives its socket to group docker, and warns when there is none.
echo 'docker:x:999:' >> "$tmp/etc/group"
mv "$tmp" "$dir"
