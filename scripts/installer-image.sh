#!/bin/sh
# Builds the installer image of packaging/k8s as an OCI image archive, by
# hand: no registry, no Docker build. One uncompressed layer: a static
# busybox (the installer's sh, nsenter, cmp...), the install tree at
# /opt/nestlet, the installer at /usr/local/bin/nestlet-installer, and the
# shared libraries that the tree's Java runtime (for `nestletctl engine`) and
# curl (for labelling the node) need, taken from this machine.
# Importable with `ctr -n k8s.io images import OUT`.
#
#   scripts/installer-image.sh DIST OUT VERSION
set -eu
dist=$1; out=$2; version=$3
name=docker.io/nestlet/installer:$version
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/lib.sh"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/nestlet-image-XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/bin" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/opt/nestlet/share" "$root/usr/local/bin" "$root/etc"

busybox=$(command -v busybox)
file -L "$busybox" | grep -q 'statically linked' || { echo "$busybox is not static (apt-get install busybox-static)" >&2; exit 1; }
cp "$busybox" "$root/bin/busybox"
for a in $("$busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done

cp -a "$dist/bin" "$dist/lib" "$root/opt/nestlet/"
[ ! -d "$dist/runtime" ] || cp -a "$dist/runtime" "$root/opt/nestlet/"
cp "$here/systemd/nestletd.service" "$here/packaging/nestletd.conf" "$root/opt/nestlet/share/"
install -m 0755 "$here/packaging/k8s/installer.sh" "$root/usr/local/bin/nestlet-installer"

curl=$(command -v curl) || { echo "curl is needed on this machine (apt-get install curl)" >&2; exit 1; }
mkdir -p "$root/usr/bin"
cp "$curl" "$root/usr/bin/curl"
# Every library (and the loader) of curl and of the runtime's ELF files, at
# the same path as here.
{ echo "$curl"; find "$root/opt/nestlet/runtime" -type f \( -name '*.so' -o -path '*/bin/*' \) 2>/dev/null; } |
  copy_shared_libs "$root"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"

# The layer: fixed owners and order; the files keep their times (nestletd's AOT
# cache is valid only for jars of the times it was made with).
layout=$work/layout
mkdir -p "$layout/blobs/sha256"
tar --numeric-owner --owner=0 --group=0 --sort=name -C "$root" -cf "$work/layer.tar" .
blob() { # moves file $1 into the blobs, prints its digest
  d=$(sha256sum "$1" | cut -d' ' -f1)
  mv "$1" "$layout/blobs/sha256/$d"
  echo "$d"
}
size() { wc -c < "$layout/blobs/sha256/$1" | tr -d ' '; }
layer=$(blob "$work/layer.tar")

printf '%s' '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/bin:/usr/bin:/bin"],"Entrypoint":["/usr/local/bin/nestlet-installer"],"Cmd":["install"]},"rootfs":{"type":"layers","diff_ids":["sha256:'"$layer"'"]}}' > "$work/config.json"
config=$(blob "$work/config.json")

printf '%s' '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'"$config"'","size":'"$(size "$config")"'},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:'"$layer"'","size":'"$(size "$layer")"'}]}' > "$work/manifest.json"
manifest=$(blob "$work/manifest.json")

printf '%s' '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
printf '%s' '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:'"$manifest"'","size":'"$(size "$manifest")"',"annotations":{"io.containerd.image.name":"'"$name"'","org.opencontainers.image.ref.name":"'"$version"'"}}]}' > "$layout/index.json"

mkdir -p "$(dirname "$out")"
tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -C "$layout" -cf "$out" oci-layout index.json blobs
echo "$out: $name ($(du -h "$out" | cut -f1))"
