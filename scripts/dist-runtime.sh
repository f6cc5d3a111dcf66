#!/bin/sh
# Builds the install tree's own Java runtime and nestletd's start-up archive
# (run by `mvn package` after the jars are in DIST/lib; docs/install.md, "The
# bundled Java runtime"):
#   DIST/runtime/               jlink image of the modules nestletd and nestletctl use
#   DIST/runtime/nestletd.aot   AOT cache (JDK 25: JEP 483/514/515), from a training run
#   DIST/runtime/nestletd.jsa   or, from a JDK 17 runtime, an AppCDS archive
#
#   scripts/dist-runtime.sh DIST JDK
# JDK: the JDK to link from (Temurin 25 links from its own run-time image; a
# JDK 17 needs jmods/). When it has no jlink, the one of `java` on PATH is
# used; when there is none, no runtime is built and the launcher uses `java`.
# The training run starts nestletd for real, so it needs root; without root
# the runtime is built without an archive.
set -eu
dist=$(readlink -f "$1")
jdk=$2
[ -x "$jdk/bin/jlink" ] || jdk=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
if [ ! -x "$jdk/bin/jlink" ]; then
  echo "dist-runtime: no jlink found; target/dist has no runtime (the launcher uses java on PATH)" >&2
  exit 0
fi
runtime=$dist/runtime
# java.base, plus: java.logging (java.util.logging: nestlet, netty, jnr), jdk.unsupported
# (sun.misc.Unsafe: netty, jffi). jdeps also names java.desktop, java.sql, java.naming and
# jdk.jfr: optional uses by jackson (java.beans annotations, java.sql dates) and netty (TLS, JFR
# events) that nestlet never reaches; they would add 20 MB. jdk.httpserver: the Prometheus
# client's HTTP server (--metrics-listen), 0.3 MB of the image.
modules=java.base,java.logging,jdk.unsupported,jdk.httpserver
# JDK 24+ warns on stderr at the first sun.misc.Unsafe memory access (JEP 498: netty, jffi) and at
# the first native library loaded from the class path (JEP 472: jffi, netty's epoll): both are
# allowed on purpose, so the runtime carries the flags that say so (JDK 17 knows neither).
opts=""
version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release")
if [ "$version" -ge 24 ]; then
  opts="--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
fi
stamp="$jdk $version $modules $opts"
if [ ! -f "$runtime/nestlet.stamp" ] || [ "$(cat "$runtime/nestlet.stamp")" != "$stamp" ]; then
  rm -rf "$runtime"
  # --generate-cds-archive: a default CDS archive of the JDK's own classes, for nestletctl and for a
  # nestletd without its archive. No --compress: the modules file is read at every start.
  "$jdk/bin/jlink" --add-modules "$modules" --output "$runtime" --strip-debug \
    --no-header-files --no-man-pages --generate-cds-archive ${opts:+--add-options="$opts"}
  # Its twin for heaps over 32 GB (no compressed oops) is of no use with nestletd's 64 MB.
  rm -f "$runtime/lib/server/classes_nocoops.jsa"
  echo "$stamp" > "$runtime/nestlet.stamp"
fi

rm -f "$runtime/nestletd.aot" "$runtime/nestletd.jsa"
if [ "$(id -u)" != 0 ]; then
  echo "dist-runtime: not root, so no training run: nestletd starts without its archive" >&2
  exit 0
fi
if [ "$version" -ge 25 ]; then
  archive=$runtime/nestletd.aot
  train_opts="-XX:AOTCacheOutput=$archive"
else
  archive=$runtime/nestletd.jsa
  train_opts="-XX:ArchiveClassesAtExit=$archive"
fi
# The training run: nestletd on a private socket and state dir, until its warm-up (the request
# path in-process) is done, plus one request through the socket (a hook nestletd ignores: no
# container is involved); SIGTERM, and the JVM writes the archive as it exits.
work=$(mktemp -d /var/tmp/nestlet-train-XXXXXX)
pid=""
cleanup() {
  set +e
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid"
  grep -F " $work/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT INT TERM
env -u JAVA NESTLETD_JAVA_OPTS="$train_opts" "$dist/bin/nestletd" --socket "$work/nestlet.sock" \
  --state-dir "$work/state" --fd-store none --id-pool 7000000:7000000:131072 > "$work/log" 2>&1 &
pid=$!
i=0
until grep -q "warm-up done" "$work/log"; do
  i=$((i + 1))
  if [ $i -gt 1200 ] || ! kill -0 "$pid" 2>/dev/null; then
    cat "$work/log" >&2
    echo "dist-runtime: the training run failed; nestletd starts without its archive" >&2
    exit 0
  fi
  sleep 0.05
done
echo '{"ociVersion":"1.0.2","id":"nestlet-training","status":"stopped","pid":0,"bundle":"/"}' |
  "$dist/bin/nestlet-hook" --socket "$work/nestlet.sock" poststop >/dev/null ||
  echo "dist-runtime: the training hook failed; the archive is made without the socket's path" >&2
kill "$pid"
wait "$pid" || true
pid=""
if [ -f "$archive" ]; then
  chmod 0644 "$archive"
else
  cat "$work/log" >&2
  echo "dist-runtime: no archive was written; nestletd starts without it" >&2
fi
