#!/bin/sh
# Cost of one notified mount: a static C loop mounts and unmounts N times in a
# runc container (user namespace, CAP_SYS_ADMIN), without and with nestlet's
# notify rule; then sysfs in a host-owned network namespace (emulated).
# Usage: bench/seccomp-notify.sh [N]   (root; after `mvn package`)
set -eu
N=${1:-2000}
HERE=$(cd "$(dirname "$0")/.." && pwd)
DIST=$HERE/target/dist
T=$(mktemp -d /var/tmp/nestlet-bench-XXXXXX)
chmod 711 "$T"
NETNS=nestlet-bench-$$
DPID=
cleanup() {
    [ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null || true
    ip netns delete "$NETNS" 2>/dev/null || true
    rm -rf --one-file-system "$T"
}
trap cleanup EXIT
cc -O2 -static -o "$T/mountloop" "$HERE/bench/mountloop.c"
ip netns add "$NETNS"
"$DIST/bin/nestletd" --socket "$T/n.sock" --state-dir "$T/state" --fd-store none >"$T/nestletd.log" 2>&1 &
DPID=$!
while ! grep -q "ready on" "$T/nestletd.log" 2>/dev/null; do sleep 0.1; done
SOCK=$T/state/run/seccomp.sock

bundle() { # NAME NOTIFY(0|1) PODNET(0|1) ARGS...
    name=$1 notify=$2 pod=$3; shift 3
    b=$T/$name; mkdir -p "$b/rootfs/x" "$b/rootfs/proc" "$b/rootfs/sys" "$b/rootfs/dev"
    cp "$T/mountloop" "$b/rootfs/mountloop"
    (cd "$b" && runc spec)
    python3 - "$b/config.json" "$notify" "$pod" "$SOCK" "$NETNS" "$@" <<'PY'
import json, sys
path, notify, pod, sock, netns, args = sys.argv[1], sys.argv[2] == "1", sys.argv[3] == "1", sys.argv[4], sys.argv[5], sys.argv[6:]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = args
for k in ("bounding", "effective", "permitted"):
    c["process"]["capabilities"][k].append("CAP_SYS_ADMIN")
c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 700000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 700000, "size": 65536}]
if pod:
    for ns in c["linux"]["namespaces"]:
        if ns["type"] == "network":
            ns["path"] = "/var/run/netns/" + netns
c["mounts"] = [m for m in c["mounts"] if not m["destination"].startswith("/sys")]
c["mounts"].append({"destination": "/sys", "type": "none", "source": "/sys",
                    "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]})
if notify:
    c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": sock,
        "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [{"names": ["mount", "umount2", "move_mount"], "action": "SCMP_ACT_NOTIFY"}]}
json.dump(c, open(path, "w"))
PY
    (cd "$b" && runc --root "$T/rr" run "$name")
}
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -r) $(nproc) vCPU, runc $(runc --version | head -1 | cut -d' ' -f3)"
bundle plain 0 0 /mountloop tmpfs /x "$N"
bundle notify 1 0 /mountloop tmpfs /x "$N"
bundle sysfs 1 1 /mountloop sysfs /x "$((N / 10))"
