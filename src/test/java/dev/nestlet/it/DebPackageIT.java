package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cgroups;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.DebianNode;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.Dockerd;
import dev.nestlet.it.support.Images;
import dev.nestlet.it.support.NotifySocket;
import dev.nestlet.it.support.Processes;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.SharedRoot;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.TestDir;
import dev.nestlet.it.support.UsesRoots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The .deb on a fresh Debian 12 machine ({@link DebianNode}): {@code dpkg -i} (and {@code apt-get
 * -f install} for its declared dependencies) gives nestlet a subid pool next to an existing entry;
 * the unit's ExecStart, run as systemd would with a NOTIFY_SOCKET the test reads, says READY=1 once
 * its socket answers, STATUS= lines, and WATCHDOG=1 every half WATCHDOG_USEC; a container runs
 * through the installed nestlet-runtime (Debian's runc) with a range of that pool; Debian 12's
 * podman, dockerd and containerd, installed in the node beforehand, registered with {@code
 * nestletctl engine install} and run there, each run system containers through nestlet and keep the
 * admin's own runtime, and {@code engine uninstall} gives back their configs byte for byte; {@code
 * dpkg --purge} leaves no file and the subid files as they were, byte for byte, an admin's own
 * nestlet entry included, a subid file postinst had to create gone.
 */
@UsesRoots(SharedRoot.MINBASE)
@Tag("slow")
class DebPackageIT {
    private static final long BLOCK = 65536;
    private static final Duration WATCHDOG = Duration.ofSeconds(6);
    // The pool postinst picks on these subid files: the first block above the kubelet's default
    // ranges (65536 upwards, 110 pods of 65536), 1024 ranges.
    private static final String POOL_LINE = "nestlet:" + BLOCK * 111 + ":" + BLOCK * 1024;
    private static final String SUBUID = "other:100000:65536\n";
    // no newline at the end: postinst must not join its line to this one, purge must restore it
    private static final String SUBGID = "other:100000:65536";

    /** Debian 12's engines, installed in the node before the package. */
    private static final String[] ENGINE_PACKAGES = {"podman", "docker.io", "containerd"};

    /** The image the engines run, and the memory limit nestlet's /proc/meminfo must show. */
    private static final String IMAGE = "nestlet-it/busybox:latest";

    private static final long MEMORY = 256L << 20;

    /** What a system container prints: its uid map, then its MemTotal line. */
    private static final String PROBE = "cat /proc/self/uid_map; grep MemTotal /proc/meminfo";

    /** Where the node's admin put a range of their own for podman's hook-path container. */
    private static final long ADMIN_RANGE = 300_000_000L;

    /**
     * The engines' configs as the node's admin left them before nestlet: each with a runtime of its
     * own ({@code plain}, runc), which must stay usable beside nestlet's. podman's also has what a
     * node without systemd needs (cgroupfs, a file events log) and file locks: the default ones
     * live in /dev/shm, the host's.
     */
    private static final Map<String, String> ADMIN_CONFIGS =
            Map.of(
                    "/etc/docker/daemon.json",
                    "{\n  \"runtimes\": {\n    \"plain\": {\"path\": \"/usr/sbin/runc\"}\n  },\n"
                            + "  \"log-level\": \"info\"\n}\n",
                    "/etc/containers/containers.conf",
                    String.join(
                            "\n",
                            "# this node runs no systemd",
                            "[containers]",
                            "netns = \"none\"",
                            "# podman's default nofile and nproc are above what this machine grants",
                            "default_ulimits = [\"nofile=20000:20000\", \"nproc=32768:32768\"]",
                            "",
                            "[engine]",
                            "cgroup_manager = \"cgroupfs\"",
                            "events_logger = \"file\"",
                            "lock_type = \"file\"",
                            "",
                            "[engine.runtimes]",
                            "plain = [\"/usr/sbin/runc\"]",
                            ""),
                    "/etc/containerd/config.toml",
                    // Debian's (its opt path keeps containerd out of /opt), with the admin's
                    // runtime
                    String.join(
                            "\n",
                            "version = 2",
                            "",
                            "[plugins]",
                            "  [plugins.\"io.containerd.grpc.v1.cri\"]",
                            "    [plugins.\"io.containerd.grpc.v1.cri\".cni]",
                            "      bin_dir = \"/usr/lib/cni\"",
                            "      conf_dir = \"/etc/cni/net.d\"",
                            "    # runc by its own name",
                            "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.plain]",
                            "      runtime_type = \"io.containerd.runc.v2\"",
                            "      [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.plain.options]",
                            "        BinaryName = \"/usr/sbin/runc\"",
                            "  [plugins.\"io.containerd.internal.v1.opt\"]",
                            "    path = \"/var/lib/containerd/opt\"",
                            ""));

    /**
     * Everything on the node's root filesystem but what dpkg and apt keep about themselves (their
     * databases, logs and caches) and the test dir bound in: paths, types, modes, owners; and the
     * checksum of every file under /etc.
     */
    private static String snapshot(DebianNode node, Path testDir) {
        String prune =
                String.join(
                        " -o ",
                        Arrays.stream(
                                        new String[] {
                                            "/proc",
                                            "/sys",
                                            "/dev",
                                            "/run",
                                            "/tmp",
                                            "/var/lib/dpkg",
                                            "/var/lib/apt",
                                            "/var/log",
                                            "/var/cache",
                                            // what the engines write as they run, not nestlet
                                            "/var/lib/docker",
                                            "/var/lib/containerd",
                                            "/var/lib/containers",
                                            testDir.toString()
                                        })
                                .map(p -> "-path " + p)
                                .toList());
        return node.exec(
                        "sh",
                        "-c",
                        "find / -xdev \\( "
                                + prune
                                + " \\) -prune -o -printf '%p %y %m %U:%G\\n' | sort;"
                                + " find /etc -xdev -type f -exec sha256sum {} + | sort")
                .ok()
                .out();
    }

    @Test
    void installsRunsAContainerAndPurgesWithoutATrace() throws Exception {
        try (TestDir dir = new TestDir("deb")) {
            Path deb = dir.resolve("nestlet.deb");
            Path project =
                    Path.of(System.getProperty("nestlet.packaging", "packaging"))
                            .toAbsolutePath()
                            .getParent();
            Cmd.of(
                            "make",
                            "-s",
                            "-C",
                            project.toString(),
                            "deb-files",
                            "DEB_STAGING=" + dir.resolve("staging"),
                            "DEB=" + deb,
                            // xz would take minutes here; what is packed is the same
                            "DEB_COMPRESS=-Zgzip -z1")
                    .timeout(600)
                    .run()
                    .ok();
            try (DebianNode node = DebianNode.start(dir.path())) {
                node.install(ENGINE_PACKAGES);
                Files.writeString(node.root().resolve("etc/subuid"), SUBUID);
                Files.writeString(node.root().resolve("etc/subgid"), SUBGID);
                Map<String, byte[]> engineConfigs = new LinkedHashMap<>();
                for (Map.Entry<String, String> c : ADMIN_CONFIGS.entrySet()) {
                    Path file = node.root().resolve(c.getKey().substring(1));
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, c.getValue());
                    engineConfigs.put(c.getKey(), Files.readAllBytes(file));
                }
                String before = snapshot(node, dir.path());
                // the listing walked the root and hashed /etc (a failed find would compare "")
                assertTrue(
                        before.contains("\n/usr/bin d 755 0:0\n")
                                && before.contains("  /etc/subgid\n"),
                        before.length() + " bytes");

                node.exec("dpkg", "-i", deb.toString()).ok();
                node.exec("apt-get", "-f", "install", "-y", "-q").ok();
                assertEquals(SUBUID + POOL_LINE + "\n", node.exec("cat", "/etc/subuid").ok().out());
                assertEquals(
                        SUBGID + "\n" + POOL_LINE + "\n",
                        node.exec("cat", "/etc/subgid").ok().out());
                assertTrue(
                        node.exec(
                                        "cat",
                                        "/usr/share/containers/oci/hooks.d/nestlet-createruntime.json")
                                .ok()
                                .out()
                                .contains("\"/usr/lib/nestlet/bin/nestlet-hook\""));

                runTheUnitsExecStart(
                        node,
                        dir,
                        () -> {
                            runTheEngines(node, dir);
                            return null;
                        });
                for (Map.Entry<String, byte[]> c : engineConfigs.entrySet()) {
                    assertArrayEquals(
                            c.getValue(),
                            Files.readAllBytes(node.root().resolve(c.getKey().substring(1))),
                            c.getKey() + " after engine uninstall");
                }

                node.exec("dpkg", "--purge", "nestlet").ok();
                assertNotEquals(0, node.exec("dpkg", "-s", "nestlet").exit());
                assertEquals(SUBUID, Files.readString(node.root().resolve("etc/subuid")));
                assertEquals(SUBGID, Files.readString(node.root().resolve("etc/subgid")));
                assertEquals(before, snapshot(node, dir.path()));

                // A nestlet entry the admin wrote (here in /etc/subuid only) stays as it is,
                // through install and purge; the other file, absent, is created with the
                // package's pool and removed at purge.
                String own = SUBUID + "nestlet:300000000:65536\n";
                Path subgid = node.root().resolve("etc/subgid");
                Files.writeString(node.root().resolve("etc/subuid"), own);
                Files.delete(subgid);
                node.exec("dpkg", "-i", deb.toString()).ok();
                assertEquals(own, Files.readString(node.root().resolve("etc/subuid")));
                assertEquals(POOL_LINE + "\n", Files.readString(subgid));
                node.exec("dpkg", "--purge", "nestlet").ok();
                assertEquals(own, Files.readString(node.root().resolve("etc/subuid")));
                assertFalse(Files.exists(subgid));
            }
        }
    }

    /**
     * The engines of the node, registered with {@code nestletctl engine install} run on the node
     * (the .deb's prefix, the engines' default files), each started as an admin would, its state in
     * the node, containers under a cgroup of this test: podman through {@code --runtime nestlet}
     * and through the installed hooks.d; dockerd with the merged daemon.json ({@code --runtime
     * nestlet}, and the admin's {@code plain} still there); containerd with the merged config,
     * {@code ctr run} through the binary its config dump gives runtime nestlet. Then each is
     * uninstalled.
     */
    private static void runTheEngines(DebianNode node, TestDir dir) throws Exception {
        List<String> engines = List.of("podman", "docker", "containerd");
        for (String e : engines) {
            node.exec("nestletctl", "engine", "install", e, "--prefix", "/usr").ok();
        }
        Path rootfsTar = dir.resolve("busybox.tar");
        Path archive = dir.resolve("busybox-archive.tar");
        Files.copy(Images.busyboxRootfsTar(), rootfsTar);
        Files.copy(Images.busyboxDockerArchive(), archive);
        String cgroup = "/" + TestDir.unique("debeng");
        List<Process> daemons = new ArrayList<>();
        try {
            podman(node, dir, rootfsTar, cgroup);
            Path ctrdSocket = dir.resolve("containerd.sock");
            daemons.add(
                    node.daemon(
                            dir.resolve("containerd.log"),
                            "containerd successfully booted",
                            "containerd",
                            "--address",
                            ctrdSocket.toString()));
            containerd(node, archive, ctrdSocket, cgroup.substring(1));
            List<String> dockerd =
                    new ArrayList<>(
                            List.of(
                                    "dockerd",
                                    "--containerd",
                                    ctrdSocket.toString(),
                                    "-H",
                                    "unix://" + dir.resolve("docker.sock"),
                                    "--cgroup-parent",
                                    cgroup + "/docker"));
            // the node has the host's network: leave it alone
            dockerd.addAll(Dockerd.NO_HOST_NETWORK);
            daemons.add(
                    0,
                    node.daemon(
                            dir.resolve("dockerd.log"),
                            "API listen on",
                            dockerd.toArray(String[]::new)));
            docker(node, dir, rootfsTar);
        } finally {
            // dockerd first: it stops its containers through containerd
            for (Process p : daemons) {
                Processes.stop(List.of(p.toHandle()), 15_000);
            }
            // shims outlive containerd; each names its socket (unique to this test)
            Processes.stop(Processes.mentioning(dir.resolve("containerd.sock").toString()), 2_000);
            Cgroups.killAndRemove(cgroup);
            // what the engines write to /etc as they run, not nestlet: dockerd 20.10's trust key
            // (at its first start), the lock of podman's CNI network backend
            Files.deleteIfExists(node.root().resolve("etc/docker/key.json"));
            Files.deleteIfExists(node.root().resolve("etc/cni/net.d/cni.lock"));
        }
        for (String e : engines) {
            node.exec("nestletctl", "engine", "uninstall", e).ok();
            assertEquals(1, node.exec("nestletctl", "engine", "status", e).exit(), e);
        }
    }

    private static void podman(DebianNode node, TestDir dir, Path rootfsTar, String cgroup)
            throws IOException {
        // the store in the test dir; the runroot in the node's own /run (podman wants it short)
        Path storage = dir.resolve("storage.conf");
        Files.writeString(
                storage,
                "[storage]\ndriver = \"overlay\"\ngraphroot = \""
                        + dir.resolve("podman")
                        + "\"\nrunroot = \"/run/nlpod\"\n");
        String podman = "CONTAINERS_STORAGE_CONF=" + storage + " podman ";
        String run = podman + "run --rm --memory " + MEMORY + " --cgroup-parent " + cgroup + " ";
        node.exec("sh", "-c", podman + "import " + rootfsTar + " " + IMAGE).ok();
        String image = "localhost/" + IMAGE;

        assertOwnRange(
                node.exec("sh", "-c", run + "--runtime nestlet " + image + " sh -c '" + PROBE + "'")
                        .ok()
                        .out());
        // the hook path: podman's own mapping, nestlet's files, only with the annotation
        String mapped =
                run
                        + "--runtime plain --uidmap 0:"
                        + ADMIN_RANGE
                        + ":65536 --gidmap 0:"
                        + ADMIN_RANGE
                        + ":65536 ";
        String[] hooked =
                lines(
                        node.exec(
                                        "sh",
                                        "-c",
                                        mapped
                                                + "--annotation io.nestlet.mode=system "
                                                + image
                                                + " sh -c '"
                                                + PROBE
                                                + "'")
                                .ok()
                                .out());
        assertEquals(List.of("0", String.valueOf(ADMIN_RANGE), "65536"), fields(hooked[0]));
        assertEquals(memTotal(), squeezed(hooked[1]));
        String[] plain =
                lines(node.exec("sh", "-c", mapped + image + " sh -c '" + PROBE + "'").ok().out());
        assertNotEquals(memTotal(), squeezed(plain[1]), "no annotation, no nestlet");
    }

    private static void containerd(DebianNode node, Path archive, Path socket, String namespace) {
        // what containerd made of the merged config: runtime nestlet beside the admin's plain
        String dump = node.exec("containerd", "config", "dump").ok().out();
        assertTrue(dump.contains("runtimes.plain]"), dump);
        Matcher binary =
                Pattern.compile("runtimes\\.nestlet\\.options\\][^\\[]*BinaryName = \"([^\"]+)\"")
                        .matcher(dump);
        assertTrue(binary.find(), dump);
        assertEquals("/usr/lib/nestlet/bin/nestlet-runtime", binary.group(1));
        String ctr = "ctr --address " + socket + " --namespace " + namespace + " ";
        String imported = node.exec("sh", "-c", ctr + "image import " + archive).ok().all();
        Matcher ref = Pattern.compile("unpacking (\\S+) \\(").matcher(imported);
        assertTrue(ref.find(), imported);
        assertOwnRange(
                node.exec(
                                "sh",
                                "-c",
                                ctr
                                        + "run --rm --runtime io.containerd.runc.v2 --runc-binary "
                                        + binary.group(1)
                                        + " --memory-limit "
                                        + MEMORY
                                        + " "
                                        + ref.group(1)
                                        + " "
                                        + TestDir.unique("c")
                                        + " sh -c '"
                                        + PROBE
                                        + "'")
                        .ok()
                        .out());
    }

    private static void docker(DebianNode node, TestDir dir, Path rootfsTar) {
        String docker =
                "DOCKER_CONFIG="
                        + dir.resolve("docker-cli")
                        + " docker -H unix://"
                        + dir.resolve("docker.sock")
                        + " ";
        node.exec("sh", "-c", docker + "import " + rootfsTar + " " + IMAGE).ok();
        String run = docker + "run --rm --network none --memory " + MEMORY + " --runtime ";
        assertOwnRange(
                node.exec("sh", "-c", run + "nestlet " + IMAGE + " sh -c '" + PROBE + "'")
                        .ok()
                        .out());
        String[] plain =
                lines(
                        node.exec("sh", "-c", run + "plain " + IMAGE + " sh -c '" + PROBE + "'")
                                .ok()
                                .out());
        assertEquals(List.of("0", "0", "4294967295"), fields(plain[0]), "the admin's runtime");
        assertNotEquals(memTotal(), squeezed(plain[1]));
    }

    /** A range of the package's pool and nestlet's /proc/meminfo. */
    private static void assertOwnRange(String out) {
        String[] l = lines(out);
        List<String> map = fields(l[0]);
        long base = Long.parseLong(map.get(1));
        assertTrue(
                map.get(0).equals("0")
                        && map.get(2).equals(String.valueOf(BLOCK))
                        && base >= BLOCK * 111
                        && base < BLOCK * (111 + 1024),
                "a range of the package's pool: " + out);
        assertEquals(memTotal(), squeezed(l[1]), out);
    }

    private static String memTotal() {
        return "MemTotal: " + (MEMORY >> 10) + " kB";
    }

    private static String[] lines(String out) {
        return out.strip().split("\n");
    }

    /** The line with each run of blanks one space (meminfo aligns its columns). */
    private static String squeezed(String line) {
        return String.join(" ", fields(line));
    }

    /** Fields split on runs of blanks (uid_map's and meminfo's columns). */
    private static List<String> fields(String line) {
        return List.of(line.strip().split("\\s+"));
    }

    /**
     * The unit as `make install` writes it passes systemd-analyze verify; the one line allowed is
     * systemd before 254 not knowing FileDescriptorStorePreserve= (docs/install.md).
     */
    @Test
    void unitPassesSystemdAnalyzeVerify() throws Exception {
        Assumptions.assumeTrue(
                Cmd.of("sh", "-c", "command -v systemd-analyze").run().exit() == 0,
                "no systemd-analyze here");
        try (TestDir dir = new TestDir("unit")) {
            Path unit = dir.resolve("nestletd.service");
            String text =
                    Files.readString(
                            Path.of(System.getProperty("nestlet.packaging", "packaging"))
                                    .resolveSibling("systemd/nestletd.service"));
            Files.writeString(
                    unit,
                    text.replace(
                            "/usr/local/bin/nestletd",
                            Dist.home().resolve("bin/nestletd").toString()));
            Cmd.Result r = Cmd.of("systemd-analyze", "verify", unit.toString()).run();
            assertEquals(0, r.exit(), r.all());
            List<String> lines =
                    r.all()
                            .lines()
                            .filter(l -> !l.contains("Unknown key 'FileDescriptorStorePreserve'"))
                            .toList();
            assertEquals(List.of(), lines);
        }
    }

    /**
     * nestletd as the installed unit starts it; a container through it; {@code whileServing}; a
     * clean stop.
     */
    private static void runTheUnitsExecStart(
            DebianNode node, TestDir dir, Callable<Void> whileServing) throws Exception {
        String unit = node.exec("cat", "/lib/systemd/system/nestletd.service").ok().out();
        List<String> execStart =
                unit.lines()
                        .filter(l -> l.startsWith("ExecStart="))
                        .map(l -> List.of(l.substring("ExecStart=".length()).trim().split("\\s+")))
                        .findFirst()
                        .orElseThrow();
        assertEquals(
                List.of("/usr/bin/nestletd", "--config", "/etc/nestlet/nestletd.conf"), execStart);
        Path log = dir.resolve("nestletd.log");
        try (NotifySocket notify = new NotifySocket(dir.resolve("notify.sock"))) {
            Process daemon =
                    node.spawn(
                            Map.of(
                                    "NOTIFY_SOCKET",
                                    notify.path().toString(),
                                    "WATCHDOG_USEC",
                                    "2000000"),
                            log,
                            execStart);
            try {
                Optional<NotifySocket.Message> readyOrNot =
                        notify.await(t -> t.startsWith("READY=1"), Duration.ofSeconds(90));
                assertTrue(
                        readyOrNot.isPresent(),
                        "no READY=1: " + notify.messages() + "\n" + Files.readString(log));
                NotifySocket.Message ready = readyOrNot.get();
                // the socket answered when READY=1 came
                node.exec("nestletctl", "status").ok();
                assertTrue(ready.text().contains("STATUS=serving 0 containers"), ready.text());
                List<String> statuses = notify.lines("STATUS=");
                assertEquals("STATUS=starting", statuses.get(0), statuses.toString());
                assertEquals(
                        "STATUS=recovering 0 containers", statuses.get(1), statuses.toString());

                String id = TestDir.unique("deb");
                Path bundle = dir.resolve(id);
                new Spec(Rootfs.busybox(bundle.resolve("rootfs")), "cat", "/proc/self/uid_map")
                        .cgroupsPath("/" + id)
                        .writeTo(bundle);
                String map =
                        node.exec(
                                        "sh",
                                        "-c",
                                        "cd "
                                                + bundle
                                                + " && nestlet-runtime --root "
                                                + dir.resolve("runc")
                                                + " run "
                                                + id)
                                .ok()
                                .out()
                                .trim();
                String[] f = map.split("\\s+");
                long base = Long.parseLong(f[1]);
                assertTrue(
                        f[0].equals("0") && base >= BLOCK * 111 && base < BLOCK * (111 + 1024),
                        "a range of the package's pool: " + map);

                // Every 3 s (half of WATCHDOG_USEC) while the socket answers: for 8 s after
                // READY=1, never a gap systemd would kill for.
                Thread.sleep(Math.max(0, 8000 - (System.nanoTime() - ready.nanos()) / 1_000_000));
                List<Long> times = new ArrayList<>(List.of(ready.nanos()));
                notify.messages().stream()
                        .filter(m -> m.text().equals("WATCHDOG=1") && m.nanos() > ready.nanos())
                        .forEach(m -> times.add(m.nanos()));
                times.add(System.nanoTime());
                assertTrue(times.size() >= 4, "2 pings at least: " + notify.messages());
                for (int i = 1; i < times.size(); i++) {
                    assertTrue(
                            times.get(i) - times.get(i - 1) < WATCHDOG.toNanos(),
                            "a gap of WATCHDOG_USEC: " + notify.messages());
                }
                whileServing.call();
            } finally {
                daemon.destroy();
                assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), Files.readString(log));
            }
            assertTrue(
                    notify.await(t -> t.startsWith("STOPPING=1"), Duration.ofSeconds(5))
                            .isPresent());
        }
    }
}
