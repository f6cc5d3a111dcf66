package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.DebianNode;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.NotifySocket;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The .deb on a fresh Debian 12 machine ({@link DebianNode}): {@code dpkg -i} (and {@code apt-get
 * -f install} for its declared dependencies) gives nestlet a subid pool next to an existing entry;
 * the unit's ExecStart, run as systemd would with a NOTIFY_SOCKET the test reads, says READY=1 once
 * its socket answers, STATUS= lines, and WATCHDOG=1 every half WATCHDOG_USEC; a container runs
 * through the installed nestlet-runtime (the host's runc bound into the node) with a range of that
 * pool; {@code dpkg --purge} leaves no file and the subid files as they were, byte for byte, an
 * admin's own nestlet entry included, a subid file postinst had to create gone.
 */
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
            try (DebianNode node = DebianNode.start(dir.path(), "/usr/sbin/runc")) {
                Files.writeString(node.root().resolve("etc/subuid"), SUBUID);
                Files.writeString(node.root().resolve("etc/subgid"), SUBGID);
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

                runTheUnitsExecStart(node, dir);

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

    /** nestletd as the installed unit starts it; a container through it; a clean stop. */
    private static void runTheUnitsExecStart(DebianNode node, TestDir dir) throws Exception {
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
