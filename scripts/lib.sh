# Shell helpers shared by scripts/demo.sh and bench/*.sh. Source it; it
# defines functions only.

# make_busybox_rootfs DIR: static busybox, one symlink per applet, passwd/group.
make_busybox_rootfs() {
  _r=$1
  mkdir -p "$_r/bin" "$_r/sbin" "$_r/usr/bin" "$_r/usr/sbin" "$_r/etc" "$_r/proc" "$_r/sys" "$_r/dev" "$_r/tmp"
  cp /bin/busybox "$_r/bin/busybox"
  # busybox itself makes the links, at the paths of `busybox --list-full`: one
  # process, where a loop forked three per applet (seconds on a busy machine).
  chroot "$_r" /bin/busybox --install -s
  echo 'root:x:0:0:root:/root:/bin/sh' > "$_r/etc/passwd"
  echo 'root:x:0:' > "$_r/etc/group"
  chmod 1777 "$_r/tmp"
}

# copy_shared_libs ROOT: reads ELF file names on stdin and copies every
# shared library they load (and the loader) into ROOT, at the same path as
# here, so that they run in ROOT as they do on this machine. One ldd and one
# cp for all of them: on a busy machine each process started costs.
copy_shared_libs() {
  xargs -r ldd 2>/dev/null |
    sed -n 's#.*=> \(/[^ ]*\) .*#\1#p; s#^[[:space:]]*\(/[^ ]*\) (.*#\1#p' | sort -u |
    xargs -r cp -L --parents -t "$1"
}

# start_nestletd DIST SOCKET STATE LOG [ARGS...]: starts it in the background,
# waits until it serves; its pid is in $NESTLETD_PID.
start_nestletd() {
  _dist=$1 _sock=$2 _state=$3 _log=$4; shift 4
  "$_dist/bin/nestletd" --socket "$_sock" --state-dir "$_state" "$@" > "$_log" 2>&1 &
  NESTLETD_PID=$!
  _i=0
  until grep -q "ready on" "$_log" 2>/dev/null; do
    _i=$((_i + 1))
    if [ $_i -gt 600 ] || ! kill -0 "$NESTLETD_PID" 2>/dev/null; then cat "$_log" >&2; return 1; fi
    sleep 0.05
  done
}

# stop_nestletd PID STATE: stops nestletd, then the nestlet-keeper it started
# (docs/install.md: the keeper outlives nestletd on purpose, for restarts).
stop_nestletd() {
  stop_pid "$1"
  stop_keeper "$2"
}

# stop_keeper STATE: stops the nestlet-keeper a nestletd with that state dir
# started, by the pid it wrote.
stop_keeper() {
  [ -f "$1/run/keeper.pid" ] && kill "$(cat "$1/run/keeper.pid")" 2>/dev/null
  return 0
}

# stop_pid PID: SIGTERM, wait for it.
stop_pid() {
  [ -n "${1:-}" ] || return 0
  kill "$1" 2>/dev/null || return 0
  wait "$1" 2>/dev/null || true
}

# unmount_below DIR: lazily unmount everything mounted at or below DIR.
unmount_below() {
  grep -F " $1" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
}

# rss_kb PID
rss_kb() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}
