package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.nestlet.it.support.Cleanup;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.CriClient;
import dev.nestlet.it.support.DindPods;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.InitRunner;
import dev.nestlet.it.support.KubeNode;
import dev.nestlet.it.support.Processes;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.SharedRoot;
import dev.nestlet.it.support.TestDir;
import dev.nestlet.it.support.UsesRoots;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * packaging/k8s's installer, run the way its DaemonSet runs it: the image `make image` builds
 * (scripts/installer-image.sh), its rootfs as the container's root, the node's root at /host,
 * nsenter into the node's namespaces for what runs on the host; against the containerd 2.1 node rig
 * ({@link KubeNode}, no systemd: the installer runs nestletd itself) and the same node with Debian
 * 12's containerd 1.6. The node's root is an overlay on the shared node root (never modified); the
 * API server is an HTTP server of the test's that records the label PATCHes.
 *
 * <p>Install; install again (no file of the node changes, the engine is not restarted); containerd
 * restarted, the installer again (as a restarted pod), Actions Runner Controller's dind-mode pod
 * with the nestlet handler runs using only what was installed ({@link #arcPod}); uninstall: the
 * label removed, every file of the node as before.
 */
@UsesRoots({SharedRoot.KUBE_NODE, SharedRoot.DIND})
@Tag("slow")
class KubeInstallerIT {
    private static final String NODE = "node-1";

    private final List<String> patches = new CopyOnWriteArrayList<>();

    @Test
    void containerd21() throws Exception {
        installTwiceRunAPodUninstall(2);
    }

    /**
     * Debian 12's containerd 1.6: its config is version 2, the CRI plugin
     * io.containerd.grpc.v1.cri.
     */
    @Test
    void containerd16() throws Exception {
        installTwiceRunAPodUninstall(1);
    }

    private void installTwiceRunAPodUninstall(int containerdMajor) throws Exception {
        Root.require();
        TestDir rootDir = new TestDir("kube-installer-root");
        TestDir dir = new TestDir("kube-installer");
        HttpServer api =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext(
                "/api/v1/nodes/" + NODE,
                x -> {
                    patches.add(
                            x.getRequestMethod()
                                    + " "
                                    + new String(
                                            x.getRequestBody().readAllBytes(),
                                            StandardCharsets.UTF_8));
                    x.sendResponseHeaders(200, -1);
                    x.close();
                });
        api.start();
        List<AutoCloseable> open = new ArrayList<>(List.of(rootDir, dir));
        try {
            Path root = KubeNode.overlay(rootDir.path());
            Path image = imageRoot(dir, api.getAddress().getPort());
            Path config = root.resolve("etc/containerd/config.toml");

            KubeNode node1 = node(dir, root, containerdMajor);
            open.add(0, node1);
            Files.writeString(config, node1.config());
            node1.start();
            // What `make image` makes imports into the node's k8s.io namespace.
            Path archive = node1.imagesDir().resolve("installer.oci.tar");
            Files.move(dir.resolve("installer.oci.tar"), archive);
            node1.importImage(archive);
            assertTrue(
                    node1.ctr("image", "ls", "-q")
                            .ok()
                            .out()
                            .contains("docker.io/nestlet/installer:it"));
            Files.delete(archive);
            String before = files(root, false);
            String configBefore = Files.readString(config);

            Installer first = installer(dir, image, root, node1, "install", "first");
            open.add(0, first);
            first.await("nestlet is ready on " + NODE);
            assertTrue(first.log().contains("engine config changed"), first.log());
            String installed = files(root, true);
            assertFalse(Files.readString(config).equals(configBefore), "containerd's config");
            assertEquals(
                    List.of("PATCH {\"metadata\":{\"labels\":{\"nestlet.dev/ready\":\"true\"}}}"),
                    patches);

            Installer second = installer(dir, image, root, node1, "install", "second");
            open.add(0, second);
            second.await("nestlet is ready on " + NODE);
            sameFiles(installed, files(root, true), "the second install changed files");
            assertFalse(second.log().contains("engine config changed"), second.log());
            second.close();
            first.close();
            // Stopping the pod that runs nestletd stops nestletd.
            assertEquals(
                    3,
                    node1.exec("/usr/local/bin/nestletctl", "status").exit(),
                    "nestletd answers");

            // containerd restarted on the config the installer wrote; the installer pod again.
            node1.close();
            open.remove(node1);
            KubeNode node2 = node(dir, root, containerdMajor);
            open.add(0, node2);
            node2.start();
            Installer third = installer(dir, image, root, node2, "install", "third");
            open.add(0, third);
            third.await("nestlet is ready on " + NODE);
            sameFiles(installed, files(root, true), "a third install changed files");

            arcPod(dir, node2);
            third.close();

            Installer uninstall = installer(dir, image, root, node2, "uninstall", "uninstall");
            open.add(0, uninstall);
            uninstall.await("nestlet is uninstalled from " + NODE);
            assertEquals(
                    "PATCH {\"metadata\":{\"labels\":{\"nestlet.dev/ready\":null}}}",
                    patches.get(patches.size() - 1));
            assertEquals(
                    configBefore, Files.readString(config), "containerd's config, byte for byte");
            sameFiles(before, files(root, false), "the node's files after uninstall");
            assertEquals(
                    List.of(),
                    Processes.mentioning(dir.resolve("nestlet-state").toString()),
                    "nestlet-keeper stopped");
        } finally {
            api.stop(0);
            Cleanup.closeAll(open.toArray(AutoCloseable[]::new));
        }
    }

    /**
     * ARC's dind-mode pod through the handler the installer registered, served by the nestletd it
     * started: the runner is a system container (its root is not the host's, the installed
     * nestletctl lists it) and uses the sidecar's dockerd. On containerd 1.6 the job does every
     * step KubeDindIT asks on 2.1 (this is the only DinD pod on 1.6); on 2.1, where KubeDindIT runs
     * them all, a docker run and a build. Nothing of the pod is left in nestletd afterwards.
     */
    private static void arcPod(TestDir dir, KubeNode node) throws Exception {
        DindPods.importInto(node);
        try (CriClient cri = node.cri()) {
            CriClient.Pod pod =
                    CriClient.pod(
                            TestDir.unique("arc"),
                            "nestlet",
                            node.cgroupParent(),
                            dir.resolve("logs"),
                            null);
            String podId = cri.runPodSandbox(pod);
            try {
                String runner = DindPods.arc(cri, podId, pod, dir.path());
                String uidMap =
                        cri.execSync(runner, 30, "cat", "/proc/self/uid_map").ok().out().strip();
                assertFalse(uidMap.startsWith("0 0 "), uidMap);
                String ps = nestletctl(node, "ps");
                assertTrue(ps.contains(runner.substring(0, 12)) || ps.contains(runner), ps);
                InitRunner sc = new InitRunner(node.taskPid(runner));
                DindIT.dockerdOnARealFilesystem(sc);
                if (node.containerdMajor() == 1) {
                    DindIT.jobSteps(sc);
                } else {
                    DindIT.runAndBuild(sc);
                }
            } finally {
                cri.deletePod(podId);
            }
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonNode left = new ObjectMapper().readTree(nestletctl(node, "ps", "-o", "json"));
        while (left.size() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nestletd still holds the pod's containers: " + left);
            }
            Thread.sleep(200);
            left = new ObjectMapper().readTree(nestletctl(node, "ps", "-o", "json"));
        }
    }

    /** The installed nestletctl, in the node. */
    private static String nestletctl(KubeNode node, String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/local/bin/nestletctl"));
        cmd.addAll(List.of(args));
        return node.exec(cmd.toArray(String[]::new)).ok().out();
    }

    private static KubeNode node(TestDir dir, Path root, int containerdMajor) {
        KubeNode n =
                new KubeNode(dir.path()).root(root).configInNode("/etc/containerd/config.toml");
        return containerdMajor == 1 ? n.containerd16() : n;
    }

    /**
     * The installer image as `make image` builds it, its layer unpacked: the installer container's
     * root, with the service account, the config the DaemonSet's ConfigMap would give, and /host.
     */
    private static Path imageRoot(TestDir dir, int apiPort) throws IOException {
        Path archive = dir.resolve("installer.oci.tar");
        Cmd.of(
                        Path.of(System.getProperty("nestlet.scripts", "scripts"))
                                .resolve("installer-image.sh")
                                .toString(),
                        Dist.home().toString(),
                        archive.toString(),
                        "it")
                .timeout(300)
                .run()
                .ok();
        Path layout = Files.createDirectories(dir.resolve("layout"));
        Cmd.of("tar", "-C", layout.toString(), "-xf", archive.toString()).run().ok();
        Path image = Files.createDirectories(dir.resolve("image"));
        // The one layer is the largest blob.
        Cmd.sh(
                        "tar -C "
                                + image
                                + " -xf \"$(ls -S "
                                + layout.resolve("blobs/sha256")
                                + "/* | head -1)\"")
                .ok();
        Files.createDirectories(image.resolve("host"));
        Path sa =
                Files.createDirectories(
                        image.resolve("var/run/secrets/kubernetes.io/serviceaccount"));
        Files.writeString(sa.resolve("token"), "test-token");
        Files.writeString(sa.resolve("ca.crt"), "");
        Path conf = Files.createDirectories(image.resolve("etc/nestlet-installer"));
        // The test's own pool and state dir (in the test dir, bound into the node).
        Files.writeString(
                conf.resolve("nestletd.conf"),
                "id-pool = 8000000:8000000:1048576\nstate-dir = "
                        + dir.resolve("nestlet-state")
                        + "\n");
        Files.writeString(image.resolve("api-port"), String.valueOf(apiPort));
        return image;
    }

    /**
     * A run of the installer in mode {@code mode}, as the DaemonSet's container: the image's root,
     * the node's {@code root} at /host, the node's namespaces through its PID.
     */
    private static Installer installer(
            TestDir dir, Path image, Path root, KubeNode node, String mode, String name)
            throws IOException {
        Path log = dir.resolve("installer-" + name + ".log");
        String script =
                "set -e; mount --rbind \"$1\" \"$2/host\"; mount -t proc proc \"$2/proc\"; "
                        + "mount --rbind /dev \"$2/dev\"; mount --rbind /sys \"$2/sys\"; "
                        + "exec chroot \"$2\" /usr/local/bin/nestlet-installer \"$3\"";
        ProcessBuilder pb =
                new ProcessBuilder(
                        "unshare",
                        "--mount",
                        "--propagation",
                        "private",
                        "sh",
                        "-c",
                        script,
                        "sh",
                        root.toString(),
                        image.toString(),
                        mode);
        pb.environment()
                .putAll(
                        Map.of(
                                "NODE_NAME",
                                NODE,
                                "NESTLET_HOST_PID",
                                String.valueOf(node.pid()),
                                "NESTLET_API",
                                "http://127.0.0.1:" + Files.readString(image.resolve("api-port")),
                                "NESTLET_ENGINE",
                                "auto"));
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return new Installer(pb.start(), log);
    }

    /** The installer's process: its log, and stopping it as the kubelet stops a pod (SIGTERM). */
    private record Installer(Process process, Path logFile) implements AutoCloseable {
        String log() throws IOException {
            return Files.readString(logFile);
        }

        void await(String line) throws Exception {
            long deadline = System.nanoTime() + 240_000_000_000L;
            while (!log().contains(line)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("no '" + line + "' from the installer:\n" + log());
                }
                Thread.sleep(200);
            }
        }

        @Override
        public void close() {
            Processes.stop(List.of(process.toHandle()), 30_000);
        }
    }

    /** Fails with the lines only one of two {@link #files} listings has. */
    private static void sameFiles(String expected, String actual, String what) {
        Set<String> e = expected.lines().collect(Collectors.toSet());
        Set<String> a = actual.lines().collect(Collectors.toSet());
        List<String> gone = e.stream().filter(l -> !a.contains(l)).sorted().toList();
        List<String> added = a.stream().filter(l -> !e.contains(l)).sorted().toList();
        assertEquals(List.of(), gone, what + ": gone or changed");
        assertEquals(List.of(), added, what + ": new or changed");
    }

    /**
     * The node's files: each path's type and mode, a file's size and SHA-256 and a link's target;
     * with {@code times}, modification times too (a file written again with the same bytes shows).
     * Not /var/lib/cni: the CNI library's cache of the pods' network results, which containerd
     * writes for every pod (the ARC pod's dirs stay there), never the installer.
     */
    private static String files(Path root, boolean times) {
        String fmt = times ? "%P %y %m %s %T@ %l\\n" : "%P %y %m %s %l\\n";
        String notCni = " -xdev -path ./var/lib/cni -prune -o";
        return Cmd.sh(
                        "cd "
                                + root
                                + " && { find ."
                                + notCni
                                + " ! -type d -printf '"
                                + fmt
                                + "'; find ."
                                + notCni
                                + " -type d -printf '%P d %m\\n';"
                                + " find ./etc ./usr/local ./var/lib"
                                + notCni
                                + " -type f -exec sha256sum {} +; } | sort")
                .ok()
                .out();
    }
}
