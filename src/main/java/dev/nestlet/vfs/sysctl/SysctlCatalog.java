package dev.nestlet.vfs.sysctl;

import static dev.nestlet.vfs.sysctl.SysctlSpec.Scope.HOST;
import static dev.nestlet.vfs.sysctl.SysctlSpec.Scope.NETWORK;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.zip.GZIPInputStream;

/**
 * The sysctls a system container keeps values of its own for: the ones inner dockerd, containerd,
 * CNI plugins, buildkit, kubelet and kube-proxy write, and the host limits node set-ups raise
 * (docs/proc-sys.md has the source of each entry). Ranges are the kernel's (6.x handlers).
 */
public final class SysctlCatalog {
    private static final Logger LOG = Logger.getLogger(SysctlCatalog.class.getName());

    /**
     * When the kernel's HZ cannot be read: the largest in use, so nothing the kernel refuses is
     * accepted.
     */
    static final int FALLBACK_HZ = 1000;

    private SysctlCatalog() {}

    /**
     * Every entry, for a kernel ticking {@code hz} times a second (jiffies-backed timeouts depend
     * on it).
     */
    public static List<SysctlSpec> all(int hz) {
        List<SysctlSpec> l = new ArrayList<>();
        SysctlSyntax positive = SysctlSyntax.ints(1, SysctlSyntax.INT_MAX);
        SysctlSyntax natural = SysctlSyntax.ints(0, SysctlSyntax.INT_MAX);
        // kubelet setupKernelTunables: fails to start when it cannot write them (unless
        // KubeletInUserNamespace)
        l.add(SysctlSpec.proc("kernel.panic", SysctlSyntax.anyInt(), HOST, false));
        l.add(SysctlSpec.proc("kernel.panic_on_oops", SysctlSyntax.anyInt(), HOST, false));
        l.add(SysctlSpec.proc("vm.overcommit_memory", SysctlSyntax.ints(0, 2), HOST, false));
        l.add(SysctlSpec.proc("vm.panic_on_oom", SysctlSyntax.ints(0, 2), HOST, false));
        l.add(SysctlSpec.proc("kernel.keys.root_maxkeys", positive, HOST, false));
        l.add(SysctlSpec.proc("kernel.keys.root_maxbytes", positive, HOST, false));
        // Key quotas of every uid but host root: inner runc joins a new session keyring per
        // container
        l.add(SysctlSpec.proc("kernel.keys.maxkeys", positive, HOST, true));
        l.add(SysctlSpec.proc("kernel.keys.maxbytes", positive, HOST, true));
        // Limits of init_user_ns, charged for every user namespace root creates: raised by node
        // set-ups
        l.add(
                SysctlSpec.proc(
                        "fs.inotify.max_user_instances",
                        SysctlSyntax.nonNegative(0, SysctlSyntax.INT_MAX),
                        HOST,
                        true));
        l.add(
                SysctlSpec.proc(
                        "fs.inotify.max_user_watches",
                        SysctlSyntax.nonNegative(0, SysctlSyntax.INT_MAX),
                        HOST,
                        true));
        l.add(SysctlSpec.proc("fs.inotify.max_queued_events", natural, HOST, false));
        // kube-proxy, k3s: raise the conntrack table to max(131072, 32768 x CPUs); read-only
        // outside init_net
        l.add(SysctlSpec.proc("net.netfilter.nf_conntrack_max", natural, HOST, true));
        // kube-proxy: max/4 buckets when fewer; the kernel takes it from init_net only
        l.add(
                new SysctlSpec(
                        "sys.module.nf_conntrack.parameters.hashsize",
                        "/sys/module/nf_conntrack/parameters/hashsize",
                        SysctlSyntax.moduleUint(1, SysctlSyntax.INT_MAX / 8),
                        HOST,
                        "sys.module.nf_conntrack.parameters.hashsize",
                        false));

        // dockerd (bridge driver: fails to start without), CNI bridge as a gateway (containerd CRI,
        // buildkit's bridge network), kube-proxy ipvs, k3s (as conf.all.forwarding)
        SysctlSpec forward =
                SysctlSpec.proc("net.ipv4.ip_forward", SysctlSyntax.anyInt(), NETWORK, false);
        l.add(forward);
        l.add(SysctlSpec.alias("net.ipv4.conf.all.forwarding", forward));
        l.add(
                SysctlSpec.proc(
                        "net.ipv4.conf.default.forwarding", SysctlSyntax.anyInt(), NETWORK, false));
        // dockerd with IPv6, CNI bridge for IPv6 addresses, k3s with IPv6
        l.add(
                SysctlSpec.proc(
                        "net.ipv6.conf.all.forwarding", SysctlSyntax.anyInt(), NETWORK, false));
        l.add(
                SysctlSpec.proc(
                        "net.ipv6.conf.default.forwarding", SysctlSyntax.anyInt(), NETWORK, false));
        // dockerd when forwarding is on, k3s; kube-proxy ipvs
        l.add(
                SysctlSpec.proc(
                        "net.bridge.bridge-nf-call-iptables", SysctlSyntax.flag(), NETWORK, false));
        l.add(
                SysctlSpec.proc(
                        "net.bridge.bridge-nf-call-ip6tables",
                        SysctlSyntax.flag(),
                        NETWORK,
                        false));
        // kube-proxy iptables mode (NodePorts on localhost); ipvs mode strict ARP
        l.add(
                SysctlSpec.proc(
                        "net.ipv4.conf.all.route_localnet", SysctlSyntax.anyInt(), NETWORK, false));
        l.add(
                SysctlSpec.proc(
                        "net.ipv4.conf.all.arp_ignore", SysctlSyntax.anyInt(), NETWORK, false));
        l.add(
                SysctlSpec.proc(
                        "net.ipv4.conf.all.arp_announce", SysctlSyntax.anyInt(), NETWORK, false));
        // kube-proxy conntrack settings (a failed write stops it), k3s
        for (String t :
                List.of(
                        "tcp_timeout_established",
                        "tcp_timeout_close_wait",
                        "udp_timeout",
                        "udp_timeout_stream")) {
            l.add(
                    SysctlSpec.proc(
                            "net.netfilter.nf_conntrack_" + t,
                            SysctlSyntax.jiffies(hz),
                            NETWORK,
                            false));
        }
        l.add(
                SysctlSpec.proc(
                        "net.netfilter.nf_conntrack_tcp_be_liberal",
                        SysctlSyntax.nonNegative(0, 1),
                        NETWORK,
                        false));
        // kube-proxy ipvs mode (present when ip_vs is loaded)
        for (String vs :
                List.of(
                        "conntrack",
                        "expire_nodest_conn",
                        "expire_quiescent_template",
                        "conn_reuse_mode")) {
            l.add(SysctlSpec.proc("net.ipv4.vs." + vs, SysctlSyntax.anyInt(), NETWORK, false));
        }
        // Node images and pod sysctls set it; the one two-value file of the list
        l.add(
                SysctlSpec.proc(
                        "net.ipv4.ip_local_port_range",
                        SysctlSyntax.range(1, 65535),
                        NETWORK,
                        false));
        return List.copyOf(l);
    }

    /**
     * CONFIG_HZ of the running kernel, from /proc/config.gz or /boot/config-RELEASE under {@code
     * root}; {@link #FALLBACK_HZ} when neither says.
     */
    public static int kernelHz(Path root) {
        try {
            Optional<Integer> hz = hzOf(root.resolve("proc/config.gz"), true);
            if (hz.isEmpty()) {
                String release = Files.readString(root.resolve("proc/sys/kernel/osrelease")).trim();
                hz = hzOf(root.resolve("boot/config-" + release), false);
            }
            if (hz.isPresent()) {
                return hz.get();
            }
        } catch (IOException e) {
            LOG.fine("kernel config unreadable: " + e.getMessage());
        }
        LOG.info("kernel HZ unknown; conntrack timeouts are checked as for HZ=" + FALLBACK_HZ);
        return FALLBACK_HZ;
    }

    private static Optional<Integer> hzOf(Path config, boolean gzip) throws IOException {
        if (!Files.isRegularFile(config)) {
            return Optional.empty();
        }
        try (InputStream raw = Files.newInputStream(config);
                BufferedReader r =
                        new BufferedReader(
                                new InputStreamReader(
                                        gzip ? new GZIPInputStream(raw) : raw,
                                        StandardCharsets.US_ASCII))) {
            return r.lines()
                    .filter(l -> l.startsWith("CONFIG_HZ="))
                    .findFirst()
                    .map(l -> Integer.parseInt(l.substring("CONFIG_HZ=".length()).trim()));
        }
    }
}
