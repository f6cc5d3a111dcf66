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
        node = new KubeNode(dir.path()).handler("nestlet", nestlet.resolve("nestlet-runtime"), true);
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
        assertEquals(List.of(), ipamLeases(), "the pod's IP is released");
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
