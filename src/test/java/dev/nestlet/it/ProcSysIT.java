package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.Daemon;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Per-container /proc/sys values through nestlet-runtime on runc and crun: the host-wide sysctls
 * inner engines and Kubernetes write read back what each container wrote and never change the host;
 * in a network namespace the container does not own (made here with `ip netns add`) the network
 * sysctls engines write are virtual too, while in its own they stay the kernel's. The host's
 * sysctls are only ever read here, before and after.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcSysIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long BASE = 5_000_000;

    /**
     * The host-wide sysctls every system container keeps values of its own for, and their ranges.
     */
    static final Map<String, long[]> HOST_WIDE = new LinkedHashMap<>();

    static {
        HOST_WIDE.put("kernel.panic", new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE});
        HOST_WIDE.put("kernel.panic_on_oops", new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE});
        HOST_WIDE.put("vm.overcommit_memory", new long[] {0, 2});
        HOST_WIDE.put("vm.panic_on_oom", new long[] {0, 2});
        for (String k : List.of("root_maxkeys", "root_maxbytes", "maxkeys", "maxbytes")) {
            HOST_WIDE.put("kernel.keys." + k, new long[] {1, Integer.MAX_VALUE});
        }
        for (String k : List.of("max_user_instances", "max_user_watches", "max_queued_events")) {
            HOST_WIDE.put("fs.inotify." + k, new long[] {0, Integer.MAX_VALUE});
        }
        HOST_WIDE.put("net.netfilter.nf_conntrack_max", new long[] {0, Integer.MAX_VALUE});
    }

    private TestDir dir;
    private Daemon daemon;
    private String[] pool;
    private String netns;

    @BeforeAll
    void start() throws Exception {
        Root.require();
        dir = new TestDir("procsys");
        pool = SubIds.pool(dir.path(), BASE, 4 * 65536);
        daemon = new Daemon(dir.path(), pool).start();
        netns = TestDir.unique("nestlet-it-procsys");
        Cmd.of("ip", "netns", "add", netns).run().ok();
        // A new namespace inherits the host's IPv4 forwarding (1 here): 0 makes a leak to it
        // visible.
        Cmd.of(
                        "ip",
                        "netns",
                        "exec",
                        netns,
                        "sysctl",
                        "-q",
                        "-w",
                        "net.ipv4.ip_forward=0",
                        "net.ipv6.conf.all.forwarding=0")
                .run()
                .ok();
    }

    @AfterAll
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (netns != null) {
            Cmd.of("ip", "netns", "delete", netns).run();
        }
        if (dir != null) {
            dir.close();
        }
    }

    private Path bundle(String id, Spec spec) throws IOException {
        return spec.cgroupsPath("/" + id).writeTo(dir.resolve(id));
    }

    private Spec sleeper(String id) throws IOException {
        return new Spec(Rootfs.busybox(dir.resolve(id).resolve("rootfs")), "sleep", "300");
    }

    private Container start(OciRuntime rt, String id, Spec spec) throws Exception {
        Container c =
                Container.viaShim(
                        rt, daemon, dir.resolve("rt-" + rt.binary()), bundle(id, spec), id);
        c.startDetached();
        return c;
    }

    private static String file(String name) {
        return "/proc/sys/" + name.replace('.', '/');
    }

    /** With cat: Java's Files.readString reads a sysctl in pieces and gets only its first byte. */
    private static String host(String name) {
        return hostFile(file(name));
    }

    private static String hostFile(String path) {
        return Cmd.of("cat", path).run().ok().out().trim();
    }

    private static String inside(Container c, String name) {
        return c.exec("cat", file(name)).ok().out().trim();
    }

    /**
     * Runs {@code cmd} in all namespaces of the container's init, as its root. `runc exec` cannot
     * here: it enters the container's user namespace before the joined network namespace, which
     * then refuses it (EPERM); nsenter enters that one first.
     */
    private static Cmd.Result nsenter(Container c, String... cmd) throws Exception {
        List<String> argv =
                new java.util.ArrayList<>(
                        List.of("nsenter", "-t", String.valueOf(c.pid()), "-a", "-r", "-w"));
        argv.addAll(List.of(cmd));
        return Cmd.of(argv).run();
    }

    private static String hostInNetns(String netns, String name) {
        return Cmd.of("ip", "netns", "exec", netns, "cat", file(name)).run().ok().out().trim();
    }

    /** A value within the range that is not {@code current}. */
    private static long other(long current, long[] range) {
        return current < range[1] ? current + 1 : current - 1;
    }

    @ParameterizedTest
    @EnumSource(OciRuntime.class)
    void hostWideSysctlsArePerContainerAndNeverReachTheHost(OciRuntime rt) throws Exception {
        Map<String, String> before = new LinkedHashMap<>();
        for (String name : HOST_WIDE.keySet()) {
            before.put(name, host(name));
        }
        String hashsize = "/sys/module/nf_conntrack/parameters/hashsize";
        String hostHashsize = hostFile(hashsize);
        String a = TestDir.unique("ps-a-" + rt.binary());
        String b = TestDir.unique("ps-b-" + rt.binary());
        try (Container ca = start(rt, a, sleeper(a));
                Container cb = start(rt, b, sleeper(b))) {
            Map<String, String> written = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : HOST_WIDE.entrySet()) {
                String name = e.getKey();
                assertEquals(
                        before.get(name),
                        inside(ca, name),
                        "starts from the host's value: " + name);
                String value = Long.toString(other(Long.parseLong(before.get(name)), e.getValue()));
                Cmd.Result w = ca.exec("sysctl", "-w", name + "=" + value);
                assertEquals(0, w.exit(), "sysctl -w " + name + "=" + value + ": " + w.all());
                assertEquals(value, inside(ca, name), "reads back what was written: " + name);
                written.put(name, value);
            }
            String newHashsize = Long.toString(Long.parseLong(hostHashsize) * 2);
            ca.exec("sh", "-c", "echo " + newHashsize + " > " + hashsize).ok();
            assertEquals(
                    newHashsize,
                    ca.exec("cat", hashsize).ok().out().trim(),
                    "kube-proxy's conntrack buckets");

            for (String name : HOST_WIDE.keySet()) {
                assertEquals(
                        before.get(name),
                        inside(cb, name),
                        "the other container keeps its own: " + name);
            }
            cb.exec(
                            "sysctl",
                            "-w",
                            "kernel.panic=" + (Long.parseLong(before.get("kernel.panic")) + 100))
                    .ok();
            assertEquals(
                    written.get("kernel.panic"),
                    inside(ca, "kernel.panic"),
                    "and does not change the first's");

            Cmd.Result bad = ca.exec("sh", "-c", "echo ten > /proc/sys/kernel/panic");
            assertTrue(
                    bad.exit() != 0 && bad.err().contains("Invalid argument"),
                    "not a number: " + bad);
            Cmd.Result big = ca.exec("sh", "-c", "echo 3 > /proc/sys/vm/overcommit_memory");
            assertTrue(
                    big.exit() != 0 && big.err().contains("Invalid argument"),
                    "out of range: " + big);
            Cmd.Result huge =
                    ca.exec(
                            "sh",
                            "-c",
                            "echo 2147483648 > /proc/sys/net/netfilter/nf_conntrack_max");
            assertTrue(
                    huge.exit() != 0 && huge.err().contains("Invalid argument"),
                    "above INT_MAX: " + huge);
            assertEquals(
                    written.get("kernel.panic"),
                    inside(ca, "kernel.panic"),
                    "a refused write leaves the value");
            assertEquals(written.get("vm.overcommit_memory"), inside(ca, "vm.overcommit_memory"));

            for (String name : HOST_WIDE.keySet()) {
                assertEquals(before.get(name), host(name), "the host's " + name + " never changes");
            }
            assertEquals(hostHashsize, hostFile(hashsize), "nor the host's hashsize");

            JsonNode mounts =
                    JSON.readTree(daemon.ctl("inspect", a, "-o", "json").ok().out())
                            .path("container")
                            .path("mounts");
            assertTrue(
                    mounts.toString().contains("\"/proc/sys/kernel/panic\"")
                            && mounts.toString().contains("\"" + hashsize + "\""),
                    "every bind is in the record (for the seccomp agent): " + mounts);
            assertFalse(
                    mounts.toString().contains("ip_forward"),
                    "its own network namespace: " + mounts);
            String saved =
                    Files.readString(daemon.stateDir().resolve("sysctl").resolve(a + ".json"));
            assertTrue(
                    saved.contains("\"kernel.panic\":[" + written.get("kernel.panic") + "]"),
                    saved);
            ca.kill();
            ca.delete().ok();
            assertFalse(
                    Files.exists(daemon.stateDir().resolve("sysctl").resolve(a + ".json")),
                    "removed at release");
        }
        for (String name : HOST_WIDE.keySet()) {
            assertEquals(
                    before.get(name),
                    host(name),
                    "still the host's own after the containers: " + name);
        }
    }

    @ParameterizedTest
    @EnumSource(OciRuntime.class)
    void joinedNetworkNamespaceGetsVirtualForwarding(OciRuntime rt) throws Exception {
        String id = TestDir.unique("ps-netns-" + rt.binary());
        Path nsPath = Path.of("/run/netns", netns);
        String established = "net.netfilter.nf_conntrack_tcp_timeout_established";
        String realEstablished = hostInNetns(netns, established);
        try (Container c = start(rt, id, sleeper(id).joinNetwork(nsPath))) {
            assertEquals(
                    Files.getAttribute(nsPath, "unix:ino").toString(),
                    Files.readSymbolicLink(Path.of("/proc/" + c.pid() + "/ns/net"))
                            .toString()
                            .replaceAll("\\D", ""),
                    "the container is in the namespace made here");
            assertEquals(
                    "0",
                    nsenter(c, "cat", file("net.ipv4.ip_forward")).ok().out().trim(),
                    "starts from that namespace's value, not the host's");
            // What inner dockerd does at start (libnetwork's setupIPForwarding), then with IPv6
            Cmd.Result w =
                    nsenter(c, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward && id -u");
            assertEquals(0, w.exit(), "dockerd's write succeeds: " + w.all());
            assertEquals("0", w.out().trim(), "as the container's root");
            assertEquals("1", nsenter(c, "cat", file("net.ipv4.ip_forward")).ok().out().trim());
            assertEquals(
                    "1",
                    nsenter(c, "cat", file("net.ipv4.conf.all.forwarding")).ok().out().trim(),
                    "the same kernel variable");
            nsenter(c, "sysctl", "-w", "net.ipv6.conf.all.forwarding=1").ok();
            assertEquals(
                    "1", nsenter(c, "cat", file("net.ipv6.conf.all.forwarding")).ok().out().trim());
            nsenter(c, "sysctl", "-w", established + "=86400").ok();
            assertEquals(
                    "86400",
                    nsenter(c, "cat", file(established)).ok().out().trim(),
                    "kube-proxy's timeout");

            assertEquals(
                    "0",
                    hostInNetns(netns, "net.ipv4.ip_forward"),
                    "the pod's namespace is untouched");
            assertEquals("0", hostInNetns(netns, "net.ipv6.conf.all.forwarding"));
            assertEquals(realEstablished, hostInNetns(netns, established));
            c.kill();
            c.delete().ok();
        }
    }

    @ParameterizedTest
    @EnumSource(OciRuntime.class)
    void ownNetworkNamespaceWritesForwardingForReal(OciRuntime rt) throws Exception {
        String id = TestDir.unique("ps-ownnet-" + rt.binary());
        try (Container c = start(rt, id, sleeper(id))) {
            String pid = String.valueOf(c.pid());
            c.exec("sh", "-c", "echo 0 > /proc/sys/net/ipv4/ip_forward").ok();
            assertEquals(
                    "0",
                    Cmd.of("nsenter", "-t", pid, "-n", "cat", file("net.ipv4.ip_forward"))
                            .run()
                            .ok()
                            .out()
                            .trim());
            c.exec("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward").ok();
            assertEquals(
                    "1",
                    Cmd.of("nsenter", "-t", pid, "-n", "cat", file("net.ipv4.ip_forward"))
                            .run()
                            .ok()
                            .out()
                            .trim(),
                    "the inner bridge network needs real forwarding");
            String mountinfo = c.exec("cat", "/proc/self/mountinfo").ok().out();
            assertFalse(
                    mountinfo.contains(" /proc/sys/net/ipv4/ip_forward "),
                    "not bound:\n" + mountinfo);
            assertTrue(
                    mountinfo.contains(" /proc/sys/kernel/panic "),
                    "the host-wide ones are:\n" + mountinfo);
            c.kill();
            c.delete().ok();
        }
    }

    @Test
    void valuesSurviveANestletdRestart() throws Exception {
        String id = TestDir.unique("ps-restart");
        try (Container c = start(OciRuntime.RUNC, id, sleeper(id))) {
            String value = Long.toString(Long.parseLong(host("kernel.panic")) + 23);
            c.exec("sysctl", "-w", "kernel.panic=" + value).ok();
            daemon.kill();
            daemon = new Daemon(dir.path(), pool).start();
            assertEquals(
                    value,
                    inside(c, "kernel.panic"),
                    "the restarted nestletd shows what was written");
            String next = Long.toString(Long.parseLong(value) + 1);
            c.exec("sysctl", "-w", "kernel.panic=" + next).ok();
            assertEquals(next, inside(c, "kernel.panic"), "and takes writes again");
            c.kill();
            c.delete().ok();
        }
    }

    @Test
    void modeOffContainerIsUntouched() throws Exception {
        String id = TestDir.unique("ps-off");
        Spec spec = sleeper(id).annotation("io.nestlet.mode", "off");
        String panic = host("kernel.panic");
        try (Container c = start(OciRuntime.RUNC, id, spec)) {
            assertFalse(
                    c.exec("cat", "/proc/self/mountinfo").ok().out().contains("fuse.nestlet"),
                    "nothing bound");
            assertEquals(panic, inside(c, "kernel.panic"), "the kernel's file");
            // The host's own value: even a write that got through would change nothing.
            Cmd.Result w = c.exec("sh", "-c", "echo " + panic + " > /proc/sys/kernel/panic");
            assertNotEquals(0, w.exit());
            assertTrue(
                    w.err().contains("Read-only file system"),
                    "the engine's read-only /proc/sys stays: " + w);
            assertEquals(0, daemon.ps().size(), "not registered");
            assertFalse(Files.exists(daemon.stateDir().resolve("sysctl").resolve(id + ".json")));
            c.kill();
            c.delete().ok();
        }
    }
}
