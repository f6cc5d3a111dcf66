package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.DindImage;
import dev.nestlet.it.support.InitRunner;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.SystemContainer;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The end-to-end proof: an unprivileged system container (nestlet-runtime, Docker's default
 * capabilities, masked paths kept, nothing privileged on the host) runs dockerd, `docker run`,
 * `docker build`, a nested runc and a Testcontainers test inside.
 */
@Tag("slow")
class DindIT extends DaemonTest {
    @Override
    protected String name() {
        return "dind";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        return SubIds.pool(testDir, 6_000_000, 8 * 65536);
    }

    private Path image;

    @BeforeAll
    void buildImage() throws Exception {
        image = DindImage.rootfs();
    }

    @ParameterizedTest
    @EnumSource(OciRuntime.class)
    void dockerInsideASystemContainerWithItsOwnNetwork(OciRuntime rt) throws Exception {
        String id = TestDir.unique("dind-" + rt.binary());
        try (SystemContainer c =
                SystemContainer.start(rt, daemon, dir.path(), id, image, s -> {}, "")) {
            firstScenario(c.runner(), rt.binary());
        }
    }

    /** Everything the issue asks of a system container with its own network, whoever started it. */
    static void firstScenario(InitRunner sc, String label) throws Exception {
        dockerdOnARealFilesystem(sc);
        sc.sh("docker import " + DindImage.E2E + "/busybox.tar busybox:latest", 60).ok();
        assertEquals(
                "hello-inner",
                sc.sh("docker run --rm busybox echo hello-inner", 60).ok().out().trim());
        assertEquals(
                sc.sh("readlink /proc/self/ns/net", 10).ok().out().trim(),
                sc.sh("docker run --rm --net=host busybox readlink /proc/self/ns/net", 60)
                        .ok()
                        .out()
                        .trim(),
                "a host-network container shares the system container's network namespace");
        assertEquals(
                "67108864",
                sc.sh(
                                "docker run --rm -m 64m busybox cat "
                                        + "/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                60)
                        .ok()
                        .out()
                        .trim());

        builds(sc, "");
        nestedRuncMountsSysfsAndProc(sc, label);
        virtualMountsStay(sc);

        // HOST_OVERRIDE: started by dockerd the container has /.dockerenv, and Testcontainers would
        // otherwise look for the Docker host's gateway by running (pulling) an alpine image.
        Cmd.Result tc =
                sc.sh(
                        "TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_CHECKS_DISABLE=true "
                                + "TESTCONTAINERS_HOST_OVERRIDE=localhost java -cp '"
                                + DindImage.E2E
                                + "/lib/*:"
                                + DindImage.E2E
                                + "/classes' "
                                + "org.junit.platform.console.ConsoleLauncher --disable-banner --details=summary "
                                + "--select-class=dev.nestlet.e2e.InnerTestcontainersCheck",
                        180);
        assertEquals(0, tc.exit(), tc.out());
        assertTrue(tc.out().contains("1 tests successful"), tc.out());
    }

    /**
     * The pod case: the outer container joins a network namespace root made on the host (owned by
     * the host's user namespace), where the inner dockerd cannot create bridges. This is where the
     * user's buildx failed.
     */
    @ParameterizedTest
    @EnumSource(OciRuntime.class)
    void dockerInsideASystemContainerJoinedToAPodNetwork(OciRuntime rt) throws Exception {
        String netns = TestDir.unique("nlpod");
        Cmd.of("ip", "netns", "add", netns).run().ok();
        String id = TestDir.unique("dind-pod-" + rt.binary());
        try (SystemContainer c =
                SystemContainer.start(
                        rt,
                        daemon,
                        dir.path(),
                        id,
                        image,
                        s -> SystemContainer.joinNetns(s, netns),
                        "--bridge=none --iptables=false")) {
            InitRunner sc = c.runner();
            String podNet =
                    Cmd.of("stat", "-L", "-c", "%i", "/var/run/netns/" + netns)
                            .run()
                            .ok()
                            .out()
                            .trim();
            assertEquals(
                    "net:[" + podNet + "]",
                    sc.sh("readlink /proc/self/ns/net", 10).ok().out().trim(),
                    "the system container is in the pod's network namespace");
            dockerdOnARealFilesystem(sc);
            sc.sh("docker import " + DindImage.E2E + "/busybox.tar busybox:latest", 60).ok();
            // The kernel's limit, documented in README: a host-network sandbox needs `lo` set up
            // with
            // RTM_NEWLINK, which needs CAP_NET_ADMIN over the pod namespace's owner, the host.
            // Checked first,
            // while every dockerd thread is still in the pod's namespace.
            sc.sh(
                            "mkdir -p /tmp/ctx && printf 'FROM busybox\\nRUN true\\n' > /tmp/ctx/Dockerfile.net",
                            10)
                    .ok();
            for (String hostNet :
                    new String[] {
                        "docker run --rm --net=host busybox true",
                        "DOCKER_BUILDKIT=0 docker build --network host -f /tmp/ctx/Dockerfile.net /tmp/ctx"
                    }) {
                Cmd.Result r = sc.sh(hostNet, 60);
                assertTrue(
                        r.exit() != 0
                                && r.out()
                                        .contains(
                                                "failed to create default sandbox: operation not permitted"),
                        "the documented limit still holds (update README if it no longer does): "
                                + r.out());
            }
            assertEquals(
                    "none",
                    sc.sh("docker run --rm --network none busybox echo none", 60)
                            .ok()
                            .out()
                            .trim());
            // BuildKit's host network (what buildx uses, where the user's build failed) works.
            buildKit(sc, "--network host");
            nestedRuncMountsSysfsAndProc(sc, rt.binary());
            virtualMountsStay(sc);
        } finally {
            Cmd.of("ip", "netns", "delete", netns).run();
        }
    }

    private static void dockerdOnARealFilesystem(InitRunner sc) throws Exception {
        String info = sc.awaitDockerd(60).ok().out();
        assertTrue(info.contains("Storage Driver: overlay2"), info);
        assertTrue(
                info.contains("Backing Filesystem: extfs")
                        || info.contains("Backing Filesystem: xfs"),
                "a real filesystem under overlay2, not overlay:\n" + info);
    }

    /** A Dockerfile with RUN steps, built by the legacy builder and by BuildKit. */
    private static void builds(InitRunner sc, String flags) throws Exception {
        buildKit(sc, flags);
        Cmd.Result legacy =
                sc.sh("DOCKER_BUILDKIT=0 docker build " + flags + " -t legacy /tmp/ctx", 120).ok();
        assertTrue(legacy.out().contains("built-by-run"), legacy.out());
    }

    /** The Dockerfile with RUN steps, built by BuildKit (what buildx uses). */
    private static void buildKit(InitRunner sc, String flags) throws Exception {
        sc.sh(
                        "mkdir -p /tmp/ctx && printf 'FROM busybox\\nRUN echo built-by-run > /built\\nRUN cat /built\\n'"
                                + " > /tmp/ctx/Dockerfile",
                        10)
                .ok();
        sc.sh("DOCKER_BUILDKIT=1 docker build " + flags + " --progress=plain -t bk /tmp/ctx", 120)
                .ok();
        assertEquals(
                "built-by-run",
                sc.sh("docker run --rm --network none bk cat /built", 60).ok().out().trim());
    }

    /**
     * A nested runc container without its own network namespace: the runtime inside mounts sysfs
     * and proc.
     */
    private static void nestedRuncMountsSysfsAndProc(InitRunner sc, String label) throws Exception {
        Cmd.Result nested =
                sc.sh(
                                "cd "
                                        + DindImage.E2E
                                        + "/nested && runc run nested-"
                                        + TestDir.unique(label),
                                60)
                        .ok();
        assertTrue(
                nested.out().contains("sysfs-ok") && nested.out().contains(" /proc "),
                nested.out());
    }

    /** nestlet's virtual files cannot be unmounted or made writable from inside. */
    private static void virtualMountsStay(InitRunner sc) throws Exception {
        Cmd.Result umount = sc.sh("umount /proc/meminfo", 30);
        assertTrue(umount.exit() != 0, "umount /proc/meminfo refused: " + umount.out());
        Cmd.Result remount = sc.sh("mount -o remount,rw /proc/meminfo", 30);
        assertTrue(remount.exit() != 0, "remount,rw refused: " + remount.out());
        String mountinfo = sc.sh("grep ' /proc/meminfo ' /proc/self/mountinfo", 30).ok().out();
        assertTrue(
                mountinfo.contains("fuse.nestlet") && mountinfo.contains(" ro,"),
                "the virtual file is still there, read-only: " + mountinfo);
    }
}
