#!/bin/sh
# nestlet's node installer: the entrypoint of the installer image that the
# DaemonSet of packaging/k8s runs on each node labelled nestlet.dev/install=true
# (docs/kubernetes.md#installing-with-the-daemonset). POSIX sh: the image is a
# static busybox, the install tree and the C libraries of its Java runtime.
#
#   installer.sh install     copy the tree to the host, register the engine,
#                            start nestletd, label the node; then stay
#   installer.sh uninstall   unlabel, stop nestletd, unregister the engine,
#                            remove everything install wrote; then stay
#
# The host's root is at $NESTLET_HOST (/host); host commands (systemctl,
# restarting the engine, nestletd itself) run in the host's mount and network
# namespaces through nsenter into $NESTLET_HOST_PID (1: the DaemonSet has
# hostPID). Everything is idempotent: a second install changes no file.
set -eu

HOST=${NESTLET_HOST:-/host}
HOST_PID=${NESTLET_HOST_PID:-1}
PREFIX=${NESTLET_PREFIX:-/usr/local}
ENGINE=${NESTLET_ENGINE:-auto}
# auto: systemctl restart ENGINE where the host runs systemd, else nothing (said
# in the log); none: never; anything else: a command run on the host.
RESTART=${NESTLET_ENGINE_RESTART:-auto}
CONF_IN=${NESTLET_CONFIG_FILE:-/etc/nestlet-installer/nestletd.conf}
SA=${NESTLET_SERVICE_ACCOUNT_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}
IMAGE_TREE=${NESTLET_TREE:-/opt/nestlet}
LABEL=nestlet.dev/ready

TREE=$PREFIX/lib/nestlet
# What install created, so that uninstall removes exactly that.
RECORD=/var/lib/nestlet-installer/created
SUPERVISED=
SLEEPER=

log() { echo "nestlet-installer: $*" >&2; }
die() { log "$*"; exit 1; }
on_host() { nsenter -t "$HOST_PID" -m -n -- "$@"; }
has_systemd() { [ -d "$HOST/run/systemd/system" ]; }

# The engine to register: NESTLET_ENGINE, else CRI-O when its config is there.
engine() {
  if [ "$ENGINE" = auto ]; then
    if [ -e "$HOST/etc/crio/crio.conf" ] || [ -d "$HOST/etc/crio/crio.conf.d" ]; then
      echo crio
    else
      echo containerd
    fi
  else
    echo "$ENGINE"
  fi
}

# What the engine reads: restarted only when install changed it.
engine_sums() {
  d=$HOST/etc/$(engine)
  [ -z "${NESTLET_ENGINE_CONFIG:-}" ] || d=$HOST$NESTLET_ENGINE_CONFIG
  find "$d" -type f -exec md5sum {} + 2>/dev/null | sort
}

# The engine command of the tree in the image, on the host's files (it
# records what it changed under the host's /var/lib/nestlet/engines).
engine_cmd() {
  "$IMAGE_TREE/bin/nestletctl" engine "$@" "$(engine)" --root "$HOST"
}

record() {
  mkdir -p "$HOST${RECORD%/*}"
  grep -qxF "$1" "$HOST$RECORD" 2>/dev/null || echo "$1" >> "$HOST$RECORD"
}

# Creates host dir $1 and the parents it lacks, recording each as ours.
mkdirs() {
  [ -d "$HOST$1" ] && return 0
  mkdirs "$(dirname "$1")"
  mkdir "$HOST$1"
  record "$1"
}

# Copies $1 to host path $2 unless the same bytes are there (a second run
# writes nothing); records $2 as ours when it was not there before, unless $3
# says it lies in a dir recorded as a whole.
put() {
  if [ -e "$HOST$2" ] || [ -L "$HOST$2" ]; then
    cmp -s "$1" "$HOST$2" && return 0
  elif [ -z "${3:-}" ]; then
    record "$2"
  fi
  mkdirs "$(dirname "$2")"
  cp -p "$1" "$HOST$2.nestlet-new"
  mv -f "$HOST$2.nestlet-new" "$HOST$2"
}

link() {
  [ "$(readlink "$HOST$2" 2>/dev/null)" = "$1" ] && return 0
  [ -e "$HOST$2" ] || [ -L "$HOST$2" ] || [ -n "${3:-}" ] || record "$2"
  mkdirs "$(dirname "$2")"
  ln -sfn "$1" "$HOST$2"
}

copy_tree() {
  mkdirs "$TREE"
  # The tree is ours as a whole: files the new version no longer has go.
  (cd "$IMAGE_TREE" && find bin lib runtime -type f) | while read -r f; do
    put "$IMAGE_TREE/$f" "$TREE/$f" in-tree
  done
  (cd "$IMAGE_TREE" && find bin lib runtime -type l) | while read -r f; do
    link "$(readlink "$IMAGE_TREE/$f")" "$TREE/$f" in-tree
  done
  (cd "$HOST$TREE" && find . ! -type d) | while read -r f; do
    [ -e "$IMAGE_TREE/$f" ] || [ -L "$IMAGE_TREE/$f" ] || rm -f "$HOST$TREE/${f#./}"
  done
  for b in nestletd nestletctl nestlet-hook; do
    link "../lib/nestlet/bin/$b" "$PREFIX/bin/$b"
  done
  sed "s#/usr/local/#$PREFIX/#g" "$IMAGE_TREE/share/nestletd.service" > /tmp/nestletd.service
  put /tmp/nestletd.service /etc/systemd/system/nestletd.service
  # The operator's config (a ConfigMap) wins; else a node's own file is kept.
  if [ -e "$CONF_IN" ]; then
    put "$CONF_IN" /etc/nestlet/nestletd.conf
  elif [ ! -e "$HOST/etc/nestlet/nestletd.conf" ]; then
    put "$IMAGE_TREE/share/nestletd.conf" /etc/nestlet/nestletd.conf
  fi
}

answers() { on_host "$PREFIX/bin/nestletctl" status >/dev/null 2>&1; }

await_nestletd() {
  i=0
  until answers; do
    i=$((i + 1))
    [ "$i" -le 120 ] || die "nestletd does not answer on the host after 60 s"
    sleep 0.5
  done
}

start_nestletd() {
  if has_systemd; then
    on_host systemctl daemon-reload
    on_host systemctl enable --now nestletd.service
  elif ! answers; then
    # No systemd on the host: this pod runs nestletd in the host's namespaces as
    # its child, and restarts it when it exits; running containers outlive it
    # (crash recovery), and so they do when this pod is restarted.
    log "the host has no systemd: this pod runs nestletd itself"
    supervise &
    SUPERVISED=$!
  fi
  await_nestletd
}

supervise() {
  trap 'kill "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
  while :; do
    # Not through on_host: $! must be nestletd's own pid (nsenter execs it),
    # not a subshell's that TERM would leave it behind.
    nsenter -t "$HOST_PID" -m -n -- "$PREFIX/bin/nestletd" --config /etc/nestlet/nestletd.conf &
    child=$!
    wait "$child" || :
    log "nestletd exited; starting it again in 1 s"
    sleep 1
  done
}

restart_engine() {
  e=$(engine)
  case "$RESTART" in
    none) log "engine config changed: restart $e yourself" ;;
    auto)
      if has_systemd; then
        # containerd's shims and CRI-O's conmon keep running pods alive over
        # the restart; the kubelet is never restarted.
        on_host systemctl restart "$e"
      else
        log "engine config changed and the host has no systemd: restart $e yourself"
      fi ;;
    *) on_host sh -c "$RESTART" ;;
  esac
}

# PATCHes the node's labels through the API server with this pod's service account.
label() {
  [ -n "${NODE_NAME:-}" ] || die "NODE_NAME is not set (the downward API's spec.nodeName)"
  api=${NESTLET_API:-https://${KUBERNETES_SERVICE_HOST:-kubernetes.default.svc}:${KUBERNETES_SERVICE_PORT:-443}}
  curl -sSf --retry 5 --cacert "$SA/ca.crt" -H "Authorization: Bearer $(cat "$SA/token")" \
    -X PATCH -H "Content-Type: application/merge-patch+json" \
    --data "{\"metadata\":{\"labels\":{\"$LABEL\":$1}}}" \
    "$api/api/v1/nodes/$NODE_NAME" >/dev/null
}

install() {
  [ -d "$HOST/etc" ] || die "the host's root is not at $HOST"
  copy_tree
  # nestletd's state and the engine's records: ours unless the node had them.
  [ -e "$HOST/var/lib/nestlet" ] || record /var/lib/nestlet
  before=$(engine_sums)
  engine_cmd install --prefix "$PREFIX" ${NESTLET_ENGINE_CONFIG:+--config "$NESTLET_ENGINE_CONFIG"}
  start_nestletd
  [ "$(engine_sums)" = "$before" ] || restart_engine
  label '"true"'
  log "nestlet is ready on ${NODE_NAME:-this node}"
}

uninstall() {
  label null
  if has_systemd && [ -e "$HOST/etc/systemd/system/nestletd.service" ]; then
    on_host systemctl disable --now nestletd.service || :
  fi
  ! answers || die "nestletd still runs on the host: remove nestlet.dev/install from the node first"
  # Without systemd, nestletd kept its fds in nestlet-keeper: it goes too.
  state=$(sed -n 's/^[[:space:]]*state-dir[[:space:]]*=[[:space:]]*//p' \
    "$HOST/etc/nestlet/nestletd.conf" 2>/dev/null | tail -n 1)
  # Read in the host's mount namespace: the state dir may be a mount of its own.
  keeper=$(on_host cat "${state:-/var/lib/nestlet}/run/keeper.pid" 2>/dev/null || :)
  if [ -n "$keeper" ] && kill "$keeper" 2>/dev/null; then
    i=0
    while kill -0 "$keeper" 2>/dev/null && [ "$i" -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
  fi
  before=$(engine_sums)
  engine_cmd uninstall
  [ "$(engine_sums)" = "$before" ] || restart_engine
  if [ -e "$HOST$RECORD" ]; then
    # Deepest first: files before the dirs that hold them.
    sort -r "$HOST$RECORD" | while read -r p; do rm -rf "${HOST:?}$p"; done
    rm -rf "$HOST${RECORD%/*}"
  fi
  if has_systemd; then on_host systemctl daemon-reload; fi
  log "nestlet is uninstalled from ${NODE_NAME:-this node}"
}

# The pod stays (a DaemonSet's pod must not exit) until the kubelet stops it,
# which stops the nestletd it runs, if any.
stay() {
  while :; do sleep 3600 & SLEEPER=$!; wait "$SLEEPER" || :; done
}

trap '[ -z "$SLEEPER" ] || kill "$SLEEPER"
  [ -z "$SUPERVISED" ] || { kill "$SUPERVISED"; wait "$SUPERVISED"; }; exit 0' TERM INT

case "${1:-}" in
  install) install; stay ;;
  uninstall) uninstall; stay ;;
  *) die "usage: installer.sh install|uninstall" ;;
esac
