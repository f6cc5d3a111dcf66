package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.it.support.CriClient;
import dev.nestlet.it.support.KubeNode;
import dev.nestlet.it.support.KubeTest;
import dev.nestlet.it.support.ServerNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pods through containerd 2.x's CRI plugin, sent by a kubelet-like client ({@link CriClient}) to a
 * node of the test's own ({@link KubeNode}), with nestletd running in the node and registered as
 * runtime handler {@code nestlet}.
 */
class KubePodsIT extends KubeTest {
    // KubeContainerd16IT runs these on Debian 12's containerd 1.6.
    @Override
    protected String name() {
        return "kube";
    }

    private CriClient.Pod pod(String name, String handler) throws Exception {
        return pod(name, handler, null);
    }

    @Test
    void criVersion() {
        var v = cri.version();
        assertEquals("containerd", v.getRuntimeName());
        assertTrue(v.getRuntimeVersion().startsWith(containerdMajor() + "."), v.toString());
    }

    /**
     * The plain runc handler first: the node, the CNI network and the client are right without
     * nestlet.
     */
    @Test
    void runcPodServesItsIpAndLeavesNothing() throws Exception {
        CriClient.Pod pod = pod("runc", "runc");
        String podId = cri.runPodSandbox(pod);
        String ip = cri.podIp(podId);
        assertTrue(ip.startsWith("10.88."), "CNI gave the pod an address: " + ip);
        String c = web(podId, pod);
        assertEquals(
                "0 0 4294967295",
                cri.execSync(c, 10, "cat", "/proc/self/uid_map")
                        .ok()
                        .out()
                        .trim()
                        .replaceAll("\\s+", " "),
                "no user namespace with runc");
        String got;
        try {
            got = node.fetch(ip, 8080).trim();
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage()
                            + "\ncontainer: "
                            + cri.containerStatus(c)
                            + "\nlistening: "
                            + cri.execSync(c, 10, "netstat", "-ltn")
                            + "\ninside: "
                            + cri.execSync(
                                    c,
                                    10,
                                    "sh",
                                    "-c",
                                    "ls -la /www; wget -O- http://127.0.0.1:8080/")
                            + "\nnode: "
                            + node.exec("ip", "addr").all()
                            + node.exec("ip", "route").all()
                            + "\nlog: "
                            + readLogs(pod));
        }
        assertEquals("hello from " + pod.name(), got);

        cri.deletePod(podId);
        assertNodeNetworkClean();
    }

    /**
     * A pod through the nestlet handler, hostUsers unset: one id range and one user namespace for
     * all its containers, a network namespace the pod's root owns (it can make bridges and set its
     * sysctls), the pod IP still answering on the pod's port; after deletion nothing is left.
     */
    @Test
    void nestletPodIsOneSystemWithANetworkItOwns() throws Exception {
        CriClient.Pod pod = pod("sys", "nestlet");
        String podId = cri.runPodSandbox(pod);
        String ip = cri.podIp(podId);
        String web = web(podId, pod);
        // The pod's root, as its main process (and below, through CRI exec).
        String side =
                cri.createContainer(
                        podId,
                        pod,
                        "side",
                        KubeNode.BUSYBOX,
                        List.of(
                                "sh",
                                "-c",
                                "{ ip link add nl0 type bridge && ip link del nl0 && echo 1 > /proc/sys/net/ipv4/ip_forward "
                                        + "&& cat /proc/sys/net/ipv4/ip_forward; } > /tmp/net 2>&1; exec sleep 3600"),
                        Map.of(),
                        Map.of());
        cri.startContainer(side);

        String[] map =
                cri.execSync(web, 10, "cat", "/proc/self/uid_map").ok().out().trim().split("\\s+");
        assertEquals("0", map[0]);
        long base = Long.parseLong(map[1]);
        assertTrue(
                base >= BASE && base < BASE + 16 * RANGE, "a range from nestlet's pool: " + base);
        assertEquals(String.valueOf(RANGE), map[2]);
        for (String ns : List.of("user", "net")) {
            assertEquals(
                    cri.execSync(web, 10, "readlink", "/proc/self/ns/" + ns).ok().out(),
                    cri.execSync(side, 10, "readlink", "/proc/self/ns/" + ns).ok().out(),
                    "both containers of the pod share one " + ns + " namespace");
        }
        assertEquals(
                "1",
                awaitFile(side, "/tmp/net"),
                "the pod's root made a bridge and set ip_forward");
        assertEquals(
                "000001ffffffffff",
                cri.execSync(
                                side,
                                10,
                                "sh",
                                "-c",
                                "ip link add nl1 type bridge && ip link del nl1 && grep CapEff /proc/self/status")
                        .ok()
                        .out()
                        .trim()
                        .split("\\s+")[1],
                "a CRI exec gets the system container's capabilities");
        assertEquals("hello from " + pod.name(), node.fetch(ip, 8080).trim());

        // Outbound: from the pod through the moved interface to a server in the node's network
        // namespace
        // (made by the test), on the CNI bridge's gateway address.
        Path nodeWww = Files.createDirectories(dir.resolve("www-node"));
        Files.writeString(nodeWww.resolve("index.html"), "hello from the node\n");
        Process server =
                new ProcessBuilder(
                                "nsenter",
                                "-t",
                                String.valueOf(node.pid()),
                                "-n",
                                "--",
                                "busybox",
                                "httpd",
                                "-f",
                                "-p",
                                "10.88.0.1:18080",
                                "-h",
                                nodeWww.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
        try {
            CriClient.Exec out = null;
            for (int i = 0; i < 50 && (out == null || out.exit() != 0); i++) {
                Thread.sleep(100);
                out = cri.execSync(side, 10, "wget", "-qO-", "http://10.88.0.1:18080/");
            }
            assertEquals("hello from the node", out.ok().out().trim(), "outbound from the pod");
        } finally {
            server.destroy();
            server.waitFor();
        }

        String ps = daemon.ctl("ps").ok().out();
        assertTrue(ps.contains(pod.config().getMetadata().getNamespace() + "/" + pod.name()), ps);
        assertEquals(3, daemon.ps().size(), "sandbox and two containers: " + ps);
        JsonNode seen = inspectPod(web);
        assertEquals(
                pod.config().getMetadata().getNamespace() + "/" + pod.name(),
                seen.path("pod").asText());
        assertEquals(podId, seen.path("sandboxId").asText(), seen.toString());
        assertEquals(false, seen.path("sandbox").asBoolean());
        assertEquals(base, seen.path("idRange").path("uidBase").asLong(), "the pod's range");
        assertEquals(false, seen.path("idRangeAdopted").asBoolean());
        assertEquals(
                cri.execSync(web, 10, "readlink", "/proc/self/ns/net").ok().out().trim(),
                seen.path("netns").asText(),
                "the pod's network namespace");
        assertEquals(true, seen.path("netnsOwnedByPod").asBoolean(), "nestlet made it the pod's");
        assertTrue(seen.path("cniNetns").asText().startsWith("/"), "CNI's: " + seen);

        cri.deletePod(podId);
        assertNodeNetworkClean();
        daemon.awaitAllReleased();
    }

    /**
     * The pod's networking whole, seen from both sides, the way a cluster uses it: the pod IP
     * answers from the node on a port the pod's container serves (probes, Services), and the pod's
     * resolv.conf (written by containerd from the DNS config the kubelet sends) names a name server
     * in a network namespace of the test's own ({@link ServerNetwork}), which answers only for the
     * server there; the container resolves that name and fetches a file from the server by its
     * short name (through the search list). The runc handler first (the rig itself), then nestlet's
     * pod whose network namespace the host owns (the CNI interface moved into the pod's own), then
     * hostUsers: false.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"runc", "nestlet", "nestlet hostUsers false"})
    void podIpAnswersAndThePodResolvesAndReachesAServerBeyondTheNode(String mode) throws Exception {
        boolean userns = mode.endsWith("false");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                !userns || containerdMajor() >= 2, "user namespaces need containerd 2");
        try (ServerNetwork net = ServerNetwork.start(node, dir.path())) {
            CriClient.Pod pod =
                    pod(
                                    "net",
                                    mode.split(" ")[0],
                                    userns ? CriClient.kubeletMapping(65536L * 41) : null)
                            .withDns(net.dns());
            String podId = cri.runPodSandbox(pod);
            try {
                String c = web(podId, pod);
                assertEquals(
                        "hello from " + pod.name(),
                        node.fetch(cri.podIp(podId), 8080).trim(),
                        "the pod IP answers from the node");
                CriClient.Exec lookup = cri.execSync(c, 20, "nslookup", ServerNetwork.NAME);
                assertTrue(
                        lookup.exit() == 0
                                && lookup.out().contains("Address: " + net.address() + "\n"),
                        "the name resolves through the pod's resolv.conf: "
                                + lookup
                                + "\nresolv.conf: "
                                + cri.execSync(c, 10, "cat", "/etc/resolv.conf")
                                + "\nqueries: "
                                + net.dnsLog());
                assertEquals(
                        net.content(),
                        cri.execSync(c, 20, "wget", "-qO-", ServerNetwork.URL).ok().out(),
                        "the file, fetched by the server's short name");
            } finally {
                cri.deletePod(podId);
            }
        }
        assertNodeNetworkClean();
        daemon.awaitAllReleased();
    }

    /**
     * {@code hostUsers: false}: containerd makes the pod's user namespace with the kubelet's
     * mapping and the pod's network namespace inside it; nestlet adopts that mapping once for the
     * pod (never allocating over it) and every container of the pod joins it.
     */
    @Test
    void hostUsersFalsePodKeepsTheKubeletsMapping() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                containerdMajor() >= 2, "user namespaces need containerd 2");
        long base = 65536L * 40; // a kubelet-style range, outside nestlet's pool
        CriClient.Pod pod = pod("userns", "nestlet", CriClient.kubeletMapping(base));
        String podId = cri.runPodSandbox(pod);
        String a =
                cri.createContainer(
                        podId,
                        pod,
                        "a",
                        KubeNode.BUSYBOX,
                        List.of(
                                "sh",
                                "-c",
                                "{ ip link add nl0 type bridge && ip link del nl0 && echo ok; } > /tmp/net 2>&1; exec sleep 3600"),
                        Map.of(),
                        Map.of());
        String b =
                cri.createContainer(
                        podId,
                        pod,
                        "b",
                        KubeNode.BUSYBOX,
                        List.of("sleep", "3600"),
                        Map.of(),
                        Map.of());
        cri.startContainer(a);
        cri.startContainer(b);
        for (String c : List.of(a, b)) {
            assertEquals(
                    "0 " + base + " 65536",
                    cri.execSync(c, 10, "cat", "/proc/self/uid_map")
                            .ok()
                            .out()
                            .trim()
                            .replaceAll("\\s+", " "),
                    "the kubelet's mapping, as given");
        }
        assertEquals(
                cri.execSync(a, 10, "readlink", "/proc/self/ns/user").ok().out(),
                cri.execSync(b, 10, "readlink", "/proc/self/ns/user").ok().out(),
                "one user namespace per pod");
        assertEquals("ok", awaitFile(a, "/tmp/net"), "the pod's root owns its network namespace");
        var inUse =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(daemon.ctl("allocations", "-o", "json").ok().out())
                        .path("inUse");
        assertEquals(1, inUse.size(), "one adopted range for the pod: " + inUse);
        assertEquals(3, daemon.ps().size());
        JsonNode seen = inspectPod(b);
        assertEquals(base, seen.path("idRange").path("uidBase").asLong(), seen.toString());
        assertEquals(true, seen.path("idRangeAdopted").asBoolean(), "the kubelet's mapping");
        assertEquals(true, seen.path("netnsOwnedByPod").asBoolean(), "containerd made it so");
        assertTrue(seen.path("cniNetns").isNull(), "nestlet moved nothing: " + seen);

        cri.deletePod(podId);
        assertNodeNetworkClean();
        daemon.awaitAllReleased();
    }

    /** A mapping that gives the pod host root is refused, and the CRI caller is told why. */
    @Test
    void mappingWithHostRootIsRefused() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                containerdMajor() >= 2, "user namespaces need containerd 2");
        CriClient.Pod pod = pod("root", "nestlet", CriClient.kubeletMapping(0));
        io.grpc.StatusRuntimeException e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        io.grpc.StatusRuntimeException.class, () -> cri.runPodSandbox(pod));
        assertTrue(e.getMessage().contains("contains host uid 0"), e.getMessage());
        daemon.awaitAllReleased();
        assertEquals(List.of(), ipamLeases(), "the failed sandbox's IP is released");
    }

    /**
     * Ten one-container pods created at once through the nestlet handler: all run, each with its
     * own range.
     */
    @Test
    void tenPodsInParallel() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(10);
        List<java.util.concurrent.Future<String[]>> started = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                started.add(
                        pool.submit(
                                () -> {
                                    CriClient.Started p =
                                            cri.startPod(
                                                    pod("par", "nestlet"),
                                                    KubeNode.BUSYBOX,
                                                    List.of("sleep", "3600"));
                                    return new String[] {p.podId(), p.containerId()};
                                }));
            }
            java.util.Set<String> bases = new java.util.HashSet<>();
            List<String> pods = new java.util.ArrayList<>();
            Throwable first = null;
            for (var f : started) {
                try {
                    String[] r = f.get(300, java.util.concurrent.TimeUnit.SECONDS);
                    pods.add(r[0]);
                    bases.add(uidBase(r[1]));
                } catch (java.util.concurrent.ExecutionException e) {
                    first = first == null ? e.getCause() : first;
                }
            }
            for (String p : pods) {
                cri.deletePod(p);
            }
            if (first != null) {
                throw new AssertionError("a pod failed", first);
            }
            assertEquals(10, bases.size(), "ten pods, ten ranges: " + bases);
        } finally {
            pool.shutdownNow();
        }
        assertNodeNetworkClean();
        daemon.awaitAllReleased();
    }

    /**
     * StopPodSandbox while a container runs, then RemovePodSandbox, as the kubelet does them (long
     * apart): the stop releases every container but not the pod's range, which stays held
     * (nestletctl allocations says by which stopped pod, until which directory goes) across
     * reconciler sweeps and a nestletd restart; the removal releases it, nothing is left, and the
     * next pod gets that range again.
     */
    @Test
    void podRangeIsHeldFromStopUntilRemoval() throws Exception {
        CriClient.Pod pod = pod("rm", "nestlet");
        CriClient.Started started = cri.startPod(pod, KubeNode.BUSYBOX, List.of("sleep", "3600"));
        String podId = started.podId();
        assertEquals(2, daemon.ps().size());
        String base = uidBase(started.containerId());
        cri.stopPodSandbox(podId);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (daemon.ps().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0, daemon.ps().size(), "the stop released the pod's containers");
        Thread.sleep(2_500); // two sweeps of the reconciler (every second here)
        Path removedWith = assertHeldByStoppedPod(podId, pod, base);
        daemon.terminate();
        daemon.start();
        assertEquals(
                removedWith,
                assertHeldByStoppedPod(podId, pod, base),
                "still held after a restart (whose start-up sweep ran)");

        cri.removePodSandbox(podId);
        assertTrue(cri.listContainers().stream().noneMatch(x -> x.getPodSandboxId().equals(podId)));
        assertTrue(!Files.exists(removedWith), "RemovePodSandbox removed " + removedWith);
        assertNodeNetworkClean();
        daemon.awaitAllReleased();

        // The range is free again: nestlet hands out the lowest free block, so the next pod gets
        // the same one.
        CriClient.Started next =
                cri.startPod(pod("again", "nestlet"), KubeNode.BUSYBOX, List.of("sleep", "3600"));
        try {
            assertEquals(base, uidBase(next.containerId()), "the removed pod's range, again");
        } finally {
            cri.deletePod(next.podId());
        }
        daemon.awaitAllReleased();
    }

    /**
     * The range with uid base {@code base} is held by stopped pod {@code podId}, in {@code
     * nestletctl allocations} and its JSON; returns the directory it waits for (containerd's
     * sandbox directory, in the node's dir).
     */
    private Path assertHeldByStoppedPod(String podId, CriClient.Pod pod, String base)
            throws Exception {
        JsonNode all =
                new ObjectMapper().readTree(daemon.ctl("allocations", "-o", "json").ok().out());
        assertEquals(1, all.path("inUse").size(), "only the stopped pod's range: " + all);
        assertEquals(podId, all.path("inUse").get(0).path("id").asText(), all.toString());
        assertEquals(
                base,
                all.path("inUse").get(0).path("range").path("uidBase").asText(),
                all.toString());
        assertEquals(1, all.path("stoppedPods").size(), all.toString());
        JsonNode stopped = all.path("stoppedPods").get(0);
        assertEquals(podId, stopped.path("sandboxId").asText(), all.toString());
        String name = pod.config().getMetadata().getNamespace() + "/" + pod.name();
        assertEquals(name, stopped.path("pod").asText(), all.toString());
        Path removedWith = Path.of(stopped.path("removedWith").asText());
        assertTrue(
                removedWith.startsWith(dir.path())
                        && removedWith.getFileName().toString().equals(podId)
                        && Files.isDirectory(removedWith),
                "containerd's directory of the sandbox: " + all);
        String text = daemon.ctl("allocations").ok().out();
        assertTrue(
                text.contains(" pool, held: pod " + name + " stopped, not removed ("),
                "allocations says why: " + text);
        return removedWith;
    }

    /** The host uid a container's root maps to. */
    private String uidBase(String containerId) {
        return cri.execSync(containerId, 10, "cat", "/proc/self/uid_map")
                .ok()
                .out()
                .trim()
                .split("\\s+")[1];
    }

    /**
     * A pod container naming a sandbox nestlet does not know is refused at prepare, and nothing is
     * kept.
     */
    @Test
    void containerOfAnUnknownSandboxIsRefused() throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("bundle-unknown"));
        Files.createDirectories(bundle.resolve("rootfs"));
        Files.writeString(
                bundle.resolve("config.json"),
                """
                {"ociVersion": "1.0.2", "root": {"path": "rootfs"},
                 "process": {"args": ["true"], "cwd": "/", "user": {"uid": 0, "gid": 0}},
                 "annotations": {"io.kubernetes.cri.container-type": "container",
                   "io.kubernetes.cri.sandbox-id": "no-such-sandbox",
                   "io.kubernetes.cri.sandbox-name": "ghost", "io.kubernetes.cri.sandbox-namespace": "default"},
                 "linux": {"namespaces": [{"type": "mount"}, {"type": "pid"}]}}
                """);
        var r =
                daemon.request(
                        "{\"v\":1,\"op\":\"prepare\",\"id\":\"orphan-1\",\"bundle\":\""
                                + bundle
                                + "\",\"runtime\":\"runc\"}");
        assertEquals(false, r.path("ok").asBoolean(), r.toString());
        assertEquals("conflict", r.path("error").path("code").asText(), r.toString());
        assertTrue(
                r.path("error")
                        .path("message")
                        .asText()
                        .contains(
                                "names sandbox no-such-sandbox, which nestlet " + "does not know"),
                r.toString());
        daemon.awaitAllReleased();
    }

    /**
     * Container "web" of {@code pod}, started: busybox httpd on port 8080 serving "hello from POD"
     * from a host dir mounted at /www.
     */
    private String web(String podId, CriClient.Pod pod) throws Exception {
        Path www = Files.createDirectories(dir.resolve("www-" + pod.name()));
        Files.writeString(www.resolve("index.html"), "hello from " + pod.name() + "\n");
        String c =
                cri.createContainer(
                        podId,
                        pod,
                        "web",
                        KubeNode.BUSYBOX,
                        List.of("httpd", "-f", "-p", "8080", "-h", "/www"),
                        Map.of(),
                        Map.of("/www", www));
        cri.startContainer(c);
        return c;
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
    /** {@code nestletctl inspect ID -o json}'s "pod". */
    private JsonNode inspectPod(String containerId) throws Exception {
        String out = daemon.ctl("inspect", containerId, "-o", "json").ok().out();
        JsonNode pod = new ObjectMapper().readTree(out).path("pod");
        assertTrue(pod.isObject(), "inspect shows the container's pod: " + out);
        return pod;
    }

    private void assertNodeNetworkClean() throws Exception {
        assertEquals(List.of(), ipamLeases(), "the pod's IP is released");
        List<String> links =
                node.exec("ip", "-o", "link", "show")
                        .ok()
                        .out()
                        .lines()
                        .map(l -> l.split(":\\s+")[1].split("@")[0])
                        .toList();
        assertEquals(List.of("lo", "cni0"), links, "no veth left on the node");
        assertEquals(
                "", node.exec("ls", "/run/netns").ok().out().trim(), "no network namespace left");
        List<String> chains =
                node.exec("iptables-save")
                        .ok()
                        .out()
                        .lines()
                        .filter(l -> l.matches(".*CNI-[0-9a-f]{24}.*"))
                        .toList();
        assertEquals(List.of(), chains, "no per-pod iptables chain or rule left");
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
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("[0-9.]+"))
                    .toList();
        }
    }
}
