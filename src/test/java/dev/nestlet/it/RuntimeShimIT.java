package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * nestlet-runtime with real runc and crun: exclusive id ranges from the pool, the busybox rootfs
 * id-mapped (its files owned by the container's root, new files landing as host root), delegated
 * cgroups.
 */
class RuntimeShimIT extends DaemonTest {
    @Override
    protected String name() {
        return "shim";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        return SubIds.pool(testDir, BASE, 4 * RANGE);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    static final long BASE = 3_000_000;
    static final long RANGE = 65536;

    private Path bundle(String id, String... args) throws Exception {
        Path bundle = dir.resolve(id);
        new Spec(Rootfs.busybox(bundle.resolve("rootfs")), args)
                .cgroupsPath("/" + id)
                .writeTo(bundle);
        return bundle;
    }

    private Container container(OciRuntime rt, String id, Path bundle) throws Exception {
        return Container.viaShim(rt, daemon, dir.resolve("rt-" + rt.binary()), bundle, id);
    }

    private JsonNode allocations() throws Exception {
        return JSON.readTree(daemon.ctl("allocations", "-o", "json").ok().out());
    }

    @ParameterizedTest
    @EnumSource(OciRuntime.class)
    void systemContainerGetsItsOwnRangeAndAShiftedRootfs(OciRuntime rt) throws Exception {
        String id = TestDir.unique("shift-" + rt.binary());
        Path bundle = bundle(id, "sleep", "300");
        Path rootfs = bundle.resolve("rootfs");
        try (Container c = container(rt, id, bundle)) {
            c.startDetached();
            String[] map = c.exec("cat", "/proc/self/uid_map").ok().out().trim().split("\\s+");
            assertEquals("0", map[0]);
            long base = Long.parseLong(map[1]);
            assertEquals(String.valueOf(RANGE), map[2]);
            assertTrue(
                    base >= BASE && base < BASE + 4 * RANGE && (base - BASE) % RANGE == 0,
                    "range from the pool: " + base);
            assertEquals(
                    "uid=0(root) gid=0(root)", c.exec("id").ok().out().trim().split(" groups")[0]);
            assertEquals(
                    "0 0",
                    c.exec("stat", "-c", "%u %g", "/bin/busybox").ok().out().trim(),
                    "image files appear owned by the container's root");
            c.exec("touch", "/new-file").ok();
            assertEquals(
                    0,
                    Files.getAttribute(rootfs.resolve("new-file"), "unix:uid"),
                    "lands as host root");
            assertEquals(0, Files.getAttribute(rootfs.resolve("new-file"), "unix:gid"));
            String status = Files.readString(Path.of("/proc/" + c.pid() + "/status"));
            assertTrue(
                    status.contains("\nUid:\t" + base + "\t"),
                    "on the host its processes run as " + base);

            JsonNode inspect =
                    JSON.readTree(daemon.ctl("inspect", id, "-o", "json").ok().out())
                            .path("container");
            assertEquals(base, inspect.path("idRange").path("uidBase").asLong());
            assertEquals("idmap", inspect.path("shift").path("method").asText());
            assertFalse(inspect.path("cgroups").isEmpty(), "delegated cgroups listed: " + inspect);
            assertEquals(rt.binary(), inspect.path("runtime").asText());

            c.kill();
            c.delete().ok();
        }
        assertEquals(0, allocations().path("inUse").size(), "range released at poststop");
        assertEquals(List.of(), daemon.containerMountsLeft(), "no mount left");
    }

    /**
     * Its own network namespace: /sys is read-write, with the engine's masks and nestlet's virtual
     * files still on it, and a fresh read-write sysfs mounted inside gets the same masks (made by
     * nestlet's agent) and a writable /sys/class/net of its own, while the host's sysfs files stay
     * read-only.
     */
    @ParameterizedTest
    @EnumSource(OciRuntime.class)
    void ownNetworkGetsAReadWriteSysWithItsMasks(OciRuntime rt) throws Exception {
        String id = TestDir.unique("sysrw-" + rt.binary());
        Path bundle = bundle(id, "sleep", "300");
        Files.createDirectories(bundle.resolve("rootfs/mnt"));
        try (Container c = container(rt, id, bundle)) {
            c.startDetached();
            String own = mountsBelow(c, "/sys");
            assertTrue(
                    own.contains(" /sys rw,") && own.contains(" - sysfs "),
                    "a read-write sysfs: " + own);
            assertTrue(
                    own.contains(" /sys/firmware ro,"), "the engine's masked path stays: " + own);
            assertTrue(
                    own.contains(" /sys/devices/system/cpu/online ")
                            && own.contains("fuse.nestlet"),
                    "nestlet's virtual file stays: " + own);

            Cmd.Result fresh =
                    c.exec(
                            "sh",
                            "-c",
                            "mount -t sysfs -o nosuid,nodev,noexec sysfs /mnt && ls /mnt/class/net"
                                    + " && cat /mnt/class/net/lo/mtu > /mnt/class/net/lo/mtu && echo lo-written"
                                    + " && cat /sys/class/net/lo/mtu > /sys/class/net/lo/mtu && echo sys-lo-written");
            assertEquals(0, fresh.exit(), fresh.all() + daemon.log());
            assertEquals(
                    List.of("lo", "lo-written", "sys-lo-written"),
                    fresh.out().lines().toList(),
                    "a sysfs of its own network namespace, whose devices root inside may configure");
            String inner = mountsBelow(c, "/mnt");
            assertTrue(inner.contains(" /mnt rw,") && inner.contains(" - sysfs "), inner);
            assertTrue(inner.contains(" /mnt/firmware ro,"), "the masks come along: " + inner);
            assertTrue(
                    inner.contains(" /mnt/devices/system/cpu/online ")
                            && inner.contains("fuse.nestlet"),
                    "nestlet's virtual file comes along: " + inner);
            assertTrue(daemon.logShows("sysfs mounted on /mnt", 5000), daemon.log());
            for (String hostFile : List.of("/sys/kernel/mm/ksm/run", "/mnt/kernel/mm/ksm/run")) {
                Cmd.Result w = c.exec("sh", "-c", "cat " + hostFile + " > " + hostFile);
                assertTrue(
                        w.exit() != 0
                                && w.all()
                                        .toLowerCase(java.util.Locale.ROOT)
                                        .contains("permission denied"),
                        "the host's own sysfs files stay read-only for the container's root: "
                                + w.all());
            }
            c.exec("umount", "-l", "/mnt").ok();
        }
        assertEquals(List.of(), daemon.containerMountsLeft(), "no mount left");
    }

    /**
     * The container's mountinfo lines at {@code dir} and below it ("ID PARENT M:N ROOT POINT
     * OPTIONS...").
     */
    private static String mountsBelow(Container c, String dir) {
        StringBuilder out = new StringBuilder();
        for (String line : c.exec("cat", "/proc/self/mountinfo").ok().out().lines().toList()) {
            String point = line.split(" ")[4];
            if (point.equals(dir) || point.startsWith(dir + "/")) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    @Test
    void twoContainersAtOnceGetDisjointRanges() throws Exception {
        Set<String> bases = new HashSet<>();
        List<Container> running = new ArrayList<>();
        try {
            for (OciRuntime rt : OciRuntime.values()) {
                String id = TestDir.unique("two-" + rt.binary());
                Container c = container(rt, id, bundle(id, "sleep", "300"));
                running.add(c);
                c.startDetached();
                bases.add(c.exec("cat", "/proc/self/uid_map").ok().out().trim().split("\\s+")[1]);
            }
            assertEquals(2, bases.size(), "different ranges: " + bases);
            assertEquals(2, allocations().path("inUse").size());
        } finally {
            for (Container c : running) {
                c.close();
            }
        }
        assertEquals(0, allocations().path("inUse").size());
    }

    @Test
    void rootCanMakeAChildCgroupButNotTouchItsOwnLimits() throws Exception {
        String id = TestDir.unique("cg");
        Path bundle =
                bundle(
                        id,
                        "sh",
                        "-c",
                        "mkdir /sys/fs/cgroup/memory/inner && echo $$ > /sys/fs/cgroup/memory/inner/cgroup.procs"
                                + " && grep memory /proc/self/cgroup"
                                + " && mkdir /sys/fs/cgroup/pids/inner && echo $$ > /sys/fs/cgroup/pids/inner/cgroup.procs"
                                + " && echo 10 > /sys/fs/cgroup/pids/inner/pids.max && echo child-limit-set;"
                                + " echo 1 > /sys/fs/cgroup/memory/memory.limit_in_bytes && echo OWN-LIMIT-WRITTEN;"
                                + " echo 1 > /sys/fs/cgroup/pids/pids.max && echo OWN-PIDS-WRITTEN; true");
        Cmd.Result r = container(OciRuntime.RUNC, id, bundle).run().ok();
        assertTrue(r.out().contains("memory:/inner"), "moved into its child cgroup:\n" + r.all());
        assertTrue(r.out().contains("child-limit-set"), r.all());
        assertFalse(
                r.out().contains("OWN-LIMIT-WRITTEN"), "its own limits stay root's:\n" + r.all());
        assertFalse(r.out().contains("OWN-PIDS-WRITTEN"), r.all());
    }

    @Test
    void modeOffLeavesConfigByteIdentical() throws Exception {
        String id = TestDir.unique("off");
        Path bundle = dir.resolve(id);
        new Spec(Rootfs.busybox(bundle.resolve("rootfs")), "cat", "/proc/self/uid_map")
                .annotation("io.nestlet.mode", "off")
                .writeTo(bundle);
        byte[] before = Files.readAllBytes(bundle.resolve("config.json"));
        Cmd.Result r = container(OciRuntime.RUNC, id, bundle).run().ok();
        assertTrue(r.out().contains("4294967295"), "no user namespace: " + r.out());
        assertTrue(
                java.util.Arrays.equals(before, Files.readAllBytes(bundle.resolve("config.json"))),
                "config.json byte-identical");
        assertEquals(0, allocations().path("inUse").size());
    }

    @Test
    void badBundlesFailClearlyAndLeaveNothingAllocated() throws Exception {
        Path empty = dir.resolve("no-config");
        Files.createDirectories(empty);
        Cmd.Result r = container(OciRuntime.RUNC, "no-config", empty).run();
        assertNotEquals(0, r.exit());
        assertTrue(
                r.err().contains("bad_bundle") && r.err().contains("config.json does not exist"),
                r.err());

        Path broken = dir.resolve("not-json");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("config.json"), "{\"ociVersion\": ");
        r = container(OciRuntime.RUNC, "not-json", broken).run();
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("not valid JSON"), r.err());

        String id = TestDir.unique("overlap");
        Path bundle = dir.resolve(id);
        new Spec(Rootfs.busybox(bundle.resolve("rootfs")), "true")
                .userns(BASE + 10, 1000)
                .writeTo(bundle);
        r = container(OciRuntime.RUNC, id, bundle).run();
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("overlaps nestlet's id pool"), r.err());
        assertTrue(
                Cmd.of(OciRuntime.RUNC.command(dir.resolve("rt-runc"), "state", id)).run().exit()
                        != 0,
                "not started");
        assertEquals(0, allocations().path("inUse").size(), "nothing allocated");
        assertEquals(0, daemon.ps().size());
    }

    @Test
    void exhaustedPoolRefusesTheNextContainer() throws Exception {
        List<Container> running = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                String id = TestDir.unique("fill");
                Container c = container(OciRuntime.RUNC, id, bundle(id, "sleep", "300"));
                running.add(c);
                c.startDetached();
            }
            assertEquals(0, allocations().path("free").size());
            String id = TestDir.unique("one-too-many");
            Path bundle = bundle(id, "true");
            Cmd.Result r = container(OciRuntime.RUNC, id, bundle).run();
            assertNotEquals(0, r.exit());
            assertTrue(r.err().contains("pool_exhausted"), r.err());
            assertEquals(4, allocations().path("inUse").size(), "nothing allocated for it");
        } finally {
            for (Container c : running) {
                c.close();
            }
        }
    }
}
