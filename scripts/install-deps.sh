#!/bin/sh
# Installs, with apt-get, what nestlet's build, demo and tests use, skipping
# the run when everything is already there. Debian 12; run as root.
set -eu
need=""
check() { command -v "$1" >/dev/null 2>&1 || need="$need $2"; }
check java default-jdk-headless
check mvn maven
check gcc gcc
check make make
check musl-gcc musl-tools
check runc runc
check crun crun
check podman podman
check containerd containerd
check dockerd docker.io
check lxcfs lxcfs
check fusermount3 fuse3
check newuidmap uidmap
check skopeo skopeo
check umoci umoci
check debootstrap debootstrap
# make deb: dpkg-shlibdeps computes the package's Depends
check dpkg-shlibdeps dpkg-dev
check hyperfine hyperfine
check ip iproute2
check setpriv util-linux
check apparmor_parser apparmor
# make image (the Kubernetes installer image) copies curl and its libraries in.
check curl curl
check file file
[ -x /bin/busybox ] && /bin/busybox --list-full >/dev/null 2>&1 || need="$need busybox-static"
# busybox (dynamic) lacks the static binary a rootfs needs
[ -f /usr/share/doc/busybox-static/copyright ] || need="$need busybox-static"
if [ -n "$need" ]; then
  echo "install-deps: installing$need"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
