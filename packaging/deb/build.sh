#!/bin/sh
# Makes the .deb from an install tree staged by `make install PREFIX=/usr
# UNITDIR=/lib/systemd/system DESTDIR=STAGING` (what `make deb` does).
#
#   packaging/deb/build.sh STAGING VERSION OUT.deb [DPKG-DEB-COMPRESSION]
#
# Compression: xz (-Zxz), what every dpkg reads, by default; it takes
# minutes for the 110 MB tree on a busy 2-vCPU machine (4.6 min, 30 MB), so DebPackageIT
# passes "-Zgzip -z1".
#
# Depends: what dpkg-shlibdeps finds the install tree's dynamically linked
# files need (the Java runtime's: libc6 only; the C programs are static).
set -eu
staging=$(cd "$1" && pwd); version=$2; out=$3; compress=${4:--Zxz}
here=$(cd "$(dirname "$0")" && pwd)
install -D -m 0755 "$here/subid-pool" "$staging/usr/lib/nestlet/package/subid-pool"
mkdir -p "$staging/DEBIAN"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$staging/DEBIAN/"
install -m 0644 "$here/conffiles" "$staging/DEBIAN/"
# dpkg-shlibdeps wants a source package around it: a throwaway one.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/debian"
printf 'Source: nestlet\n\nPackage: nestlet\nArchitecture: amd64\n' > "$work/debian/control"
elves=$(find "$staging/usr" -type f \( -name '*.so' -o -perm -u+x \) -exec sh -c 'head -c 4 "$1" | grep -q ELF && echo "$1"' _ {} \;)
# shellcheck disable=SC2086
depends=$(cd "$work" && dpkg-shlibdeps -O --ignore-missing-info -l"$staging/usr/lib/nestlet/runtime/lib" -l"$staging/usr/lib/nestlet/runtime/lib/server" $elves 2>/dev/null \
    | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$staging" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" "$here/control" > "$staging/DEBIAN/control"
# shellcheck disable=SC2086
dpkg-deb --root-owner-group $compress --build "$staging" "$out" >/dev/null
echo "deb: $out (Depends: $depends)"
