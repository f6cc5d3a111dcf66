package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.nestlet.it.support.Cleanup;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.CriClient;
import dev.nestlet.it.support.Daemon;
import dev.nestlet.it.support.KubeNode;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;

/**
 * Pods through containerd 2.x's CRI plugin, sent by a kubelet-like client
 * ({@link CriClient}) to a node of the test's own ({@link KubeNode}), with
 * nestletd running in the node and registered as runtime handler {@code nestlet}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubePodsIT {
    private static final long BASE = 7_000_000;
    private static final long RANGE = 65536;

    private TestDir dir;
    private KubeNode node;
    private Daemon daemon;
    private CriClient cri;

    @BeforeAll
    void start() throws Exception {
        Root.require();
        dir = new TestDir("kube");
        // The node shares its dir (the test dir) with the host at the same path: nestletd's socket and
        // state, pod logs and host-path volumes go there too.
        Path nestlet = Files.createDirectories(dir.resolve("nestlet"));
        // The handler as packaged for containerd 2.x, with the test's nestlet-runtime.
        String handler = Files.readString(Path.of(System.getProperty("nestlet.packaging", "packaging"))
                .resolve("containerd/nestlet-containerd-2.toml"))
                .replace("/usr/local/lib/nestlet/bin/nestlet-runtime", nestlet.resolve("nestlet-runtime").toString());
        node = new KubeNode(dir.path()).toml(handler);
        daemon = node.nestletd(nestlet, SubIds.pool(nestlet, BASE, 16 * RANGE));
        assertEquals(nestlet.resolve("nestlet-runtime"), daemon.runtimeWrapper(nestlet));
        node.start();
        daemon.start();
        cri = node.cri();
    }

    @AfterAll
    void stop() throws Exception {
        Cleanup.closeAll(cri, daemon, node, dir);
    }

    private CriClient.Pod pod(String name, String handler) throws Exception {
        return CriClient.pod(TestDir.unique(name), handler, node.cgroupParent(), dir.resolve("logs"), null);
    }

    @Test
    void criVersion() {
        var v = cri.version();
        assertEquals("containerd", v.getRuntimeName());
        assertTrue(v.getRuntimeVersion().startsWith("2."), v.toString());
    }

    /** The plain runc handler first: the node, the CNI network and the client are right without nestlet. */
    @Test
    void runcPodServesItsIpAndLeavesNothing() throws Exception {
        CriClient.Pod pod = pod("runc", "runc");
        String podId = cri.runPodSandbox(pod);
        String ip = cri.podIp(podId);
        assertTrue(ip.startsWith("10.88."), "CNI gave the pod an address: " + ip);
        Path www = Files.createDirectories(dir.resolve("www-" + pod.name()));
        Files.writeString(www.resolve("index.html"), "hello from " + pod.name() + "\n");
        String c = cri.createContainer(podId, pod, "web", KubeNode.BUSYBOX,
                List.of("httpd", "-f", "-p", "8080", "-h", "/www"), Map.of(), Map.of("/www", www));
        cri.startContainer(c);
        assertEquals("0 0 4294967295", cri.execSync(c, 10, "cat", "/proc/self/uid_map").ok().out().trim()
                .replaceAll("\\s+", " "), "no user namespace with runc");
        String got;
        try {
            got = fetchFromNode(ip, 8080).trim();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\ncontainer: " + cri.containerStatus(c) + "\nlistening: "
                    + cri.execSync(c, 10, "netstat", "-ltn") + "\ninside: "
                    + cri.execSync(c, 10, "sh", "-c", "ls -la /www; wget -O- http://127.0.0.1:8080/") + "\nnode: " + node.exec("ip", "addr").all()
                    + node.exec("ip", "route").all() + "\nlog: " + readLogs(pod));
        }
        assertEquals("hello from " + pod.name(), got);

        cri.deletePod(podId);
        assertNodeNetworkClean();
    }

    /**
     * A pod through the nestlet handler, hostUsers unset: one id range and one
     * user namespace for all its containers, a network namespace the pod's
     * root owns (it can make bridges and set its sysctls), the pod IP still
     * answering on the pod's port; after deletion nothing is left.
     */
    @Test
    void nestletPodIsOneSystemWithANetworkItOwns() throws Exception {
        CriClient.Pod pod = pod("sys", "nestlet");
        String podId = cri.runPodSandbox(pod);
        String ip = cri.podIp(podId);
        Path www = Files.createDirectories(dir.resolve("www-" + pod.name()));
        Files.writeString(www.resolve("index.html"), "hello from " + pod.name() + "\n");
        String web = cri.createContainer(podId, pod, "web", KubeNode.BUSYBOX,
                List.of("httpd", "-f", "-p", "8080", "-h", "/www"), Map.of(), Map.of("/www", www));
        // Its main process, not an exec: CRI exec processes get the capabilities containerd wrote (docs/kubernetes.md).
        String side = cri.createContainer(podId, pod, "side", KubeNode.BUSYBOX, List.of("sh", "-c",
                "{ ip link add nl0 type bridge && ip link del nl0 && echo 1 > /proc/sys/net/ipv4/ip_forward "
                        + "&& cat /proc/sys/net/ipv4/ip_forward; } > /tmp/net 2>&1; exec sleep 3600"),
                Map.of(), Map.of());
        cri.startContainer(web);
        cri.startContainer(side);

        String[] map = cri.execSync(web, 10, "cat", "/proc/self/uid_map").ok().out().trim().split("\\s+");
        assertEquals("0", map[0]);
        long base = Long.parseLong(map[1]);
        assertTrue(base >= BASE && base < BASE + 16 * RANGE, "a range from nestlet's pool: " + base);
        assertEquals(String.valueOf(RANGE), map[2]);
        for (String ns : List.of("user", "net")) {
            assertEquals(cri.execSync(web, 10, "readlink", "/proc/self/ns/" + ns).ok().out(),
                    cri.execSync(side, 10, "readlink", "/proc/self/ns/" + ns).ok().out(),
                    "both containers of the pod share one " + ns + " namespace");
        }
        assertEquals("1", awaitFile(side, "/tmp/net"), "the pod's root made a bridge and set ip_forward");
        assertEquals("hello from " + pod.name(), fetchFromNode(ip, 8080).trim());

        String ps = daemon.ctl("ps").ok().out();
        assertTrue(ps.contains(pod.config().getMetadata().getNamespace() + "/" + pod.name()), ps);
        assertEquals(3, daemon.ps().size(), "sandbox and two containers: " + ps);

        cri.deletePod(podId);
        assertNodeNetworkClean();
        daemon.awaitAllReleased();
    }

    /**
     * {@code hostUsers: false}: containerd makes the pod's user namespace with
     * the kubelet's mapping and the pod's network namespace inside it; nestlet
     * adopts that mapping once for the pod (never allocating over it) and
     * every container of the pod joins it.
     */
    @Test
    void hostUsersFalsePodKeepsTheKubeletsMapping() throws Exception {
        long base = 65536L * 40; // a kubelet-style range, outside nestlet's pool
        CriClient.Pod pod = CriClient.pod(TestDir.unique("userns"), "nestlet", node.cgroupParent(),
                dir.resolve("logs"), CriClient.kubeletMapping(base));
        String podId = cri.runPodSandbox(pod);
        String a = cri.createContainer(podId, pod, "a", KubeNode.BUSYBOX, List.of("sh", "-c",
                "{ ip link add nl0 type bridge && ip link del nl0 && echo ok; } > /tmp/net 2>&1; exec sleep 3600"),
                Map.of(), Map.of());
        String b = cri.createContainer(podId, pod, "b", KubeNode.BUSYBOX, List.of("sleep", "3600"), Map.of(),
                Map.of());
        cri.startContainer(a);
        cri.startContainer(b);
        for (String c : List.of(a, b)) {
            assertEquals("0 " + base + " 65536", cri.execSync(c, 10, "cat", "/proc/self/uid_map").ok().out().trim()
                    .replaceAll("\\s+", " "), "the kubelet's mapping, as given");
        }
        assertEquals(cri.execSync(a, 10, "readlink", "/proc/self/ns/user").ok().out(),
                cri.execSync(b, 10, "readlink", "/proc/self/ns/user").ok().out(), "one user namespace per pod");
        assertEquals("ok", awaitFile(a, "/tmp/net"), "the pod's root owns its network namespace");
        var inUse = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(daemon.ctl("allocations", "-o", "json").ok().out()).path("inUse");
        assertEquals(1, inUse.size(), "one adopted range for the pod: " + inUse);
        assertEquals(3, daemon.ps().size());

        cri.deletePod(podId);
        assertNodeNetworkClean();
        daemon.awaitAllReleased();
    }

    /** A mapping that gives the pod host root is refused, and the CRI caller is told why. */
    @Test
    void mappingWithHostRootIsRefused() throws Exception {
        CriClient.Pod pod = CriClient.pod(TestDir.unique("root"), "nestlet", node.cgroupParent(),
                dir.resolve("logs"), CriClient.kubeletMapping(0));
        io.grpc.StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.grpc.StatusRuntimeException.class, () -> cri.runPodSandbox(pod));
        assertTrue(e.getMessage().contains("contains host uid 0"), e.getMessage());
        daemon.awaitAllReleased();
        assertEquals(List.of(), ipamLeases(), "the failed sandbox's IP is released");
    }

    private String awaitFile(String container, String path) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        CriClient.Exec e;
        do {
            e = cri.execSync(container, 10, "cat", path);
            if (e.exit() == 0) {
                return e.out().trim();
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(path + " not written in " + container + ": " + e);
    }

    /** No IPAM lease, no veth, no network namespace, no per-pod iptables chain left on the node. */
    private void assertNodeNetworkClean() throws Exception {
        assertEquals(List.of(), ipamLeases(), "the pod's IP is released");
        List<String> links = node.exec("ip", "-o", "link", "show").ok().out().lines()
                .map(l -> l.split(":\\s+")[1].split("@")[0]).toList();
        assertEquals(List.of("lo", "cni0"), links, "no veth left on the node");
        assertEquals("", node.exec("ls", "/run/netns").ok().out().trim(), "no network namespace left");
        List<String> chains = node.exec("iptables-save").ok().out().lines()
                .filter(l -> l.matches(".*CNI-[0-9a-f]{24}.*")).toList();
        assertEquals(List.of(), chains, "no per-pod iptables chain or rule left");
    }

    /** GET http://ip:port/ from the node's network namespace, with the host's busybox (whose wget -T segfaults). */
    private String fetchFromNode(String ip, int port) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Cmd.Result r;
        do {
            r = Cmd.of("nsenter", "-t", String.valueOf(node.pid()), "-n", "--", "timeout", "5", "busybox", "wget", "-qO-",
                    "http://" + ip + ":" + port + "/").run();
            if (r.exit() == 0) {
                return r.out();
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("pod " + ip + ":" + port + " does not answer from the node: exit " + r.exit()
                + ": " + r.all());
    }

    private String readLogs(CriClient.Pod pod) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> s = Files.walk(Path.of(pod.config().getLogDirectory()))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.append(p).append(":\n").append(Files.readString(p));
            }
        }
        return out.toString();
    }

    private List<String> ipamLeases() throws Exception {
        Path net = node.ipamDir().resolve("nestlet-it");
        if (!Files.isDirectory(net)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(net)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9.]+")).toList();
        }
    }
}
