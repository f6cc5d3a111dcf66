package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.DindImage;
import dev.nestlet.it.support.InitRunner;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.SharedRoot;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.SystemContainer;
import dev.nestlet.it.support.TestDir;
import dev.nestlet.it.support.UsesRoots;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The end-to-end proof: an unprivileged system container (nestlet-runtime, Docker's default
 * capabilities, masked paths kept, nothing privileged on the host) runs dockerd, `docker run`,
 * `docker build`, a nested runc and a Testcontainers test inside.
 */
@UsesRoots(SharedRoot.DIND)
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
        jobSteps(sc);
        nestedRuncMountsSysfsAndProc(sc, label);
        virtualMountsStay(sc);
    }

    /**
     * What a CI job asks of the dockerd it is given, wherever that dockerd runs (in the job's own
     * system container or in a sidecar of its pod): docker run (also --net=host, which shares the
     * job's network namespace, and -m), BuildKit and legacy builds with RUN steps, and the
     * Testcontainers program (a published port waited on over HTTP, two containers talking by
     * network alias).
     */
    static void jobSteps(InitRunner sc) throws Exception {
        runAndBuild(sc);
        assertEquals(
                sc.sh("readlink /proc/self/ns/net", 10).ok().out().trim(),
                sc.sh("docker run --rm --net=host busybox readlink /proc/self/ns/net", 60)
                        .ok()
                        .out()
                        .trim(),
                "a host-network container shares the job's network namespace");
        assertEquals(
                "67108864",
                sc.sh(
                                "docker run --rm -m 64m busybox cat "
                                        + "/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                60)
                        .ok()
                        .out()
                        .trim());
        Cmd.Result legacy = sc.sh("DOCKER_BUILDKIT=0 docker build -t legacy /tmp/ctx", 120).ok();
        assertTrue(legacy.out().contains("built-by-run"), legacy.out());

        // HOST_OVERRIDE: started by dockerd the container has /.dockerenv, and Testcontainers would
        // otherwise look for the Docker host's gateway by running (pulling) an alpine image.
        Cmd.Result tc =
                sc.sh(
                        "TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_CHECKS_DISABLE=true "
                                + "TESTCONTAINERS_HOST_OVERRIDE=localhost java -cp '"
                                + DindImage.E2E
                                + "/lib/*:"
                                + DindImage.E2E
                                + "/classes' org.junit.platform.console.ConsoleLauncher"
                                + " --disable-banner --details=summary "
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
                            "mkdir -p /tmp/ctx && printf 'FROM busybox\\n"
                                    + "RUN true\\n"
                                    + "' > /tmp/ctx/Dockerfile.net",
                            10)
                    .ok();
            for (String hostNet :
                    new String[] {
                        "docker run --rm --net=host busybox true",
                        "DOCKER_BUILDKIT=0 docker build --network host -f /tmp/ctx/Dockerfile.net"
                                + " /tmp/ctx"
                    }) {
                Cmd.Result r = sc.sh(hostNet, 60);
                assertTrue(
                        r.exit() != 0
                                && r.out()
                                        .contains(
                                                "failed to create default sandbox: operation not"
                                                        + " permitted"),
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

    /**
     * Privileged inner containers (docker:dind services, buildkitd of buildx's docker-container
     * driver, kind nodes): in a system container with its own network, a read-write sysfs mounts,
     * `docker run --privileged` mounts what such containers mount at start, and a privileged inner
     * dockerd runs a container and a build of its own (three levels).
     */
    @ParameterizedTest
    @EnumSource(OciRuntime.class)
    void privilegedContainersInsideASystemContainer(OciRuntime rt) throws Exception {
        String id = TestDir.unique("dind-priv-" + rt.binary());
        try (SystemContainer c =
                SystemContainer.start(rt, daemon, dir.path(), id, image, s -> {}, "")) {
            privilegedScenario(c.runner());
        }
    }

    /**
     * Rootful podman and buildah inside a system container: their storage is host-backed like
     * /var/lib/docker, so they get native overlay on a real filesystem (fuse-overlayfs and
     * /dev/fuse are not needed); then the same rootless, as a non-root user of the container, with
     * --network none and with its default network.
     */
    @org.junit.jupiter.api.Test
    void podmanAndBuildahInsideASystemContainer() throws Exception {
        String id = TestDir.unique("podman-in");
        try (SystemContainer c =
                SystemContainer.start(
                        OciRuntime.RUNC, daemon, dir.path(), id, image, s -> {}, "")) {
            InitRunner sc = c.runner();
            String store =
                    sc.sh(
                                    "podman info --format '{{.Store.GraphDriverName}}"
                                            + " {{.Store.GraphStatus}}'",
                                    60)
                            .ok()
                            .out();
            assertTrue(
                    store.startsWith("overlay ") && store.contains("Backing Filesystem:extfs"),
                    "native overlay on the host's filesystem: " + store);
            sc.sh("podman import " + DindImage.E2E + "/busybox.tar busybox:latest", 60).ok();
            assertEquals(
                    "hello-podman",
                    sc.sh("podman run --rm busybox echo hello-podman", 60).ok().out().trim());
            sc.sh(
                            "mkdir -p /tmp/bctx && printf 'FROM busybox\\n"
                                    + "RUN echo built-by-buildah > /built\\n"
                                    + "RUN cat /built\\n"
                                    + "' > /tmp/bctx/Containerfile",
                            10)
                    .ok();
            Cmd.Result bud = sc.sh("buildah bud -t bud /tmp/bctx", 180).ok();
            assertTrue(bud.out().contains("built-by-buildah"), bud.out());
            assertEquals(
                    "built-by-buildah",
                    sc.sh("podman run --rm --network none bud cat /built", 60).ok().out().trim());

            // Rootless, as a user of the container with subordinate ids inside its range (newuidmap
            // inside); storage on the container's own root, so vfs here (no usable /dev/fuse).
            sc.sh(
                            "useradd -m tester && echo tester:10000:55000 > /etc/subuid && cp"
                                    + " /etc/subuid /etc/subgid",
                            30)
                    .ok();
            String asTester = "su tester -c 'cd && ";
            String map =
                    sc.sh(
                                    asTester
                                            + "podman import "
                                            + DindImage.E2E
                                            + "/busybox.tar busybox:latest >/dev/null 2>&1 &&"
                                            + " podman run --rm --network none busybox cat"
                                            + " /proc/self/uid_map 2>/dev/null'",
                                    120)
                            .ok()
                            .out();
            assertEquals(
                    List.of("0 1000 1", "1 10000 55000"),
                    map.lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList(),
                    "tester's own user namespace, from its subordinate ids: " + map);
            // Rootless podman's default network (slirp4netns on the /dev/net/tun nestlet adds)
            // reaches a server of the system container at an address of its own network namespace.
            String bb = DindImage.E2E + "/nested/rootfs/bin/busybox";
            sc.sh(
                            bb
                                    + " ip addr add 10.253.0.1/32 dev lo && mkdir -p /tmp/www && echo"
                                    + " served-to-rootless > /tmp/www/index.html && "
                                    + bb
                                    + " httpd -p 10.253.0.1:8080 -h /tmp/www",
                            30)
                    .ok();
            String net =
                    sc.sh(
                                    asTester
                                            + "podman run --rm busybox sh -c \"ls /sys/class/net;"
                                            + " wget -qO- http://10.253.0.1:8080/\" 2>/dev/null'",
                                    120)
                            .ok()
                            .out();
            assertTrue(
                    net.lines().toList().containsAll(List.of("tap0", "served-to-rootless")),
                    "slirp4netns's tap0, and the page served inside the system container: " + net);
            sc.sh(
                            asTester
                                    + "cp -r /tmp/bctx ctx && buildah bud --network none -t"
                                    + " rootless ctx'",
                            180)
                    .ok();
            assertEquals(
                    "built-by-buildah",
                    sc.sh(
                                    asTester
                                            + "podman run --rm --network none rootless cat /built"
                                            + " 2>/dev/null'",
                                    60)
                            .ok()
                            .out()
                            .trim());
        }
    }

    /**
     * Units that fail in every user-namespaced container with CAP_SYS_RAWIO, nestlet or not: the
     * kernel refuses debugfs and tracefs outside the initial user namespace (README's limits).
     */
    private static final Set<String> KERNEL_REFUSED_UNITS =
            Set.of("sys-kernel-debug.mount", "sys-kernel-tracing.mount");

    /**
     * systemd as init: it boots to multi-user.target with dockerd as a unit, systemctl works, and
     * SIGRTMIN+3 (what `docker stop` of a systemd image sends) shuts it down cleanly.
     */
    @org.junit.jupiter.api.Test
    void systemdBootsRunsDockerAndShutsDown() throws Exception {
        String id = TestDir.unique("systemd");
        try (SystemContainer c =
                SystemContainer.start(
                        OciRuntime.RUNC,
                        daemon,
                        dir.path(),
                        id,
                        image,
                        s -> s.args("/sbin/init"),
                        "")) {
            InitRunner sc = c.runner();
            Cmd.Result boot =
                    sc.sh(
                                    "i=0; until s=$(systemctl is-system-running); [ \"$s\" ="
                                            + " running ] || [ \"$s\" = degraded ]; do i=$((i+1)); [ $i"
                                            + " -gt 600 ] && break; sleep 0.1; done; echo $s; systemctl"
                                            + " list-units --failed --plain --no-legend --no-pager |"
                                            + " cut -d' ' -f1",
                                    90)
                            .ok();
            List<String> lines = boot.out().lines().filter(l -> !l.isBlank()).toList();
            assertTrue(
                    lines.get(0).equals("running") || lines.get(0).equals("degraded"), boot.out());
            Set<String> failed = new java.util.HashSet<>(lines.subList(1, lines.size()));
            failed.removeAll(KERNEL_REFUSED_UNITS);
            assertEquals(
                    Set.of(),
                    failed,
                    "no unit failed but the kernel's refusals: "
                            + boot.out()
                            + sc.sh(
                                            "systemctl status --no-pager --lines=5 $(systemctl"
                                                    + " list-units --failed --plain --no-legend"
                                                    + " --no-pager | cut -d' ' -f1)",
                                            30)
                                    .out());
            assertEquals(
                    "active", sc.sh("systemctl is-active multi-user.target", 30).ok().out().trim());
            sc.sh(
                            "i=0; until docker info >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 600 ]"
                                    + " && break; sleep 0.1; done; systemctl is-active docker.service"
                                    + " && docker import "
                                    + DindImage.E2E
                                    + "/busybox.tar busybox:latest",
                            90)
                    .ok();
            assertEquals(
                    "through-the-unit",
                    sc.sh("docker run --rm busybox echo through-the-unit", 60).ok().out().trim());

            long t0 = System.nanoTime();
            c.container().kill("37", 10); // SIGRTMIN+3 (glibc's SIGRTMIN is 34): halt
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 10_000, "shut down in " + ms + " ms");
        }
    }

    /**
     * What a privileged inner container does at start: mounts, a read-write /sys, a /proc/sys
     * write.
     */
    private static final String PRIVILEGED_START =
            "mkdir -p /t /s /p && mount -t tmpfs tmpfs /t && touch /t/file && mount -t sysfs sysfs"
                    + " /s && mount -t proc proc /p && test -e /p/self/status && echo 1 >"
                    + " /proc/sys/vm/overcommit_memory && cat /proc/sys/vm/overcommit_memory && ls"
                    + " /sys/class/net && grep -E \" /(t|s|sys) \" /proc/self/mountinfo";

    /**
     * Everything issue 10 asks of privileged inner containers, whoever started the system
     * container.
     */
    static void privilegedScenario(InitRunner sc) throws Exception {
        Cmd.Result sysfs =
                sc.sh(
                        "mkdir -p /tmp/sysfs && mount -t sysfs sysfs /tmp/sysfs && grep '"
                                + " /tmp/sysfs ' /proc/self/mountinfo && umount -l /tmp/sysfs",
                        30);
        assertEquals(0, sysfs.exit(), "mount -t sysfs read-write inside: " + sysfs.out());
        assertTrue(sysfs.out().contains(" /tmp/sysfs rw,"), sysfs.out());

        String hostOvercommit =
                java.nio.file.Files.readString(Path.of("/proc/sys/vm/overcommit_memory"));
        sc.awaitDockerd(60).ok();
        sc.sh("docker import " + DindImage.E2E + "/busybox.tar busybox:latest", 60).ok();
        Cmd.Result priv =
                sc.sh("docker run --rm --privileged busybox sh -c '" + PRIVILEGED_START + "'", 60);
        assertEquals(0, priv.exit(), priv.out());
        List<String> lines = priv.out().lines().toList();
        assertEquals(
                "1", lines.get(0), "a /proc/sys value nestlet keeps per container: " + priv.out());
        assertTrue(
                lines.contains("eth0") && lines.contains("lo"),
                "its own network's devices: " + priv.out());
        assertTrue(
                priv.out().contains(" /sys rw,")
                        && priv.out().contains(" /s rw,")
                        && priv.out().contains(" /t rw,"),
                "read-write sysfs and tmpfs: " + priv.out());
        assertEquals(
                hostOvercommit,
                java.nio.file.Files.readString(Path.of("/proc/sys/vm/overcommit_memory")),
                "the host's value is untouched");

        // Three levels: a privileged dockerd (the Debian test image itself) runs a container and a
        // build.
        // /run is not a tmpfs where dockerd started the system container: leave out its pid files.
        sc.sh(
                        "tar -C / --one-file-system --exclude=./usr/lib/jvm"
                                + " --exclude=./opt/nestlet-e2e/lib --exclude='./run/*' -cf - . |"
                                + " docker import - nestlet-inner-dind",
                        300)
                .ok();
        sc.sh(
                        "docker volume create inner-data && docker run -d --privileged --name inner"
                                + " -v inner-data:/var/lib/docker nestlet-inner-dind dockerd",
                        60)
                .ok();
        String inner = "docker exec inner ";
        Cmd.Result info =
                sc.sh(
                        "end=$(($(date +%s) + 90)); until "
                                + inner
                                + "docker info >/dev/null 2>&1; do [ $(date +%s) -gt $end ] && {"
                                + " docker ps -a; docker logs inner 2>&1 | tail -40; exit 1; };"
                                + " sleep 0.2; done; "
                                + inner
                                + "docker info",
                        120);
        assertEquals(0, info.exit(), info.out());
        assertTrue(info.out().contains("Storage Driver: overlay2"), info.out());
        sc.sh(inner + "docker import " + DindImage.E2E + "/busybox.tar busybox:latest", 60).ok();
        assertEquals(
                "level-3",
                sc.sh(inner + "docker run --rm busybox echo level-3", 60).ok().out().trim());
        sc.sh(
                        inner
                                + "sh -c \"mkdir -p /tmp/ctx && printf 'FROM busybox\\n"
                                + "RUN echo built-at-level-3 > /built\\n"
                                + "RUN cat /built\\n"
                                + "' > /tmp/ctx/Dockerfile\"",
                        30)
                .ok();
        sc.sh(inner + "env DOCKER_BUILDKIT=1 docker build --progress=plain -t l3 /tmp/ctx", 180)
                .ok();
        assertEquals(
                "built-at-level-3",
                sc.sh(inner + "docker run --rm --network none l3 cat /built", 60)
                        .ok()
                        .out()
                        .trim());
        sc.sh("docker rm -f inner && docker volume rm inner-data", 60).ok();
    }

    static void dockerdOnARealFilesystem(InitRunner sc) throws Exception {
        String info = sc.awaitDockerd(60).ok().out();
        assertTrue(info.contains("Storage Driver: overlay2"), info);
        assertTrue(
                info.contains("Backing Filesystem: extfs")
                        || info.contains("Backing Filesystem: xfs"),
                "a real filesystem under overlay2, not overlay:\n" + info);
    }

    /**
     * The least a CI job asks of its dockerd: busybox imported, a `docker run`, a BuildKit build
     * with RUN steps (its context left in /tmp/ctx).
     */
    static void runAndBuild(InitRunner sc) throws Exception {
        sc.sh("docker import " + DindImage.E2E + "/busybox.tar busybox:latest", 60).ok();
        assertEquals(
                "hello-inner",
                sc.sh("docker run --rm busybox echo hello-inner", 60).ok().out().trim());
        buildKit(sc, "");
    }

    /** The Dockerfile with RUN steps, built by BuildKit (what buildx uses). */
    private static void buildKit(InitRunner sc, String flags) throws Exception {
        sc.sh(
                        "mkdir -p /tmp/ctx && printf 'FROM busybox\\n"
                                + "RUN echo built-by-run > /built\\n"
                                + "RUN cat /built\\n"
                                + "' > /tmp/ctx/Dockerfile",
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
