package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.Mounts;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole path on real runtimes: runc/crun run nestlet-hook, the hook reaches nestletd, nestletd
 * mounts host-backed inner data dirs inside the container's mount namespace, nestletctl shows it,
 * poststop takes it all away.
 */
class HookPathIT extends DaemonTest {
    @Override
    protected String name() {
        return "hookpath";
    }

    static Stream<Arguments> runtimes() {
        return Stream.of(
                Arguments.of(OciRuntime.RUNC, false),
                Arguments.of(OciRuntime.RUNC, true),
                Arguments.of(OciRuntime.CRUN, false),
                Arguments.of(OciRuntime.CRUN, true));
    }

    @ParameterizedTest(name = "{0}, user namespace: {1}")
    @MethodSource("runtimes")
    void systemContainerGetsHostBackedDataDirs(OciRuntime rt, boolean userns) throws Exception {
        String id = TestDir.unique("dd-" + rt.binary());
        Path bundle = dir.resolve(id);
        Path rootfs = Rootfs.busybox(bundle.resolve("rootfs"));
        long rootUid = userns ? 300000 + rt.idOffset() : 0;
        Spec spec = new Spec(rootfs, "sleep", "300").system().nestletHooks(daemon.socket());
        if (userns) {
            spec.userns(rootUid, 65536);
        }
        spec.writeTo(bundle);
        Path dataDir = daemon.stateDir().resolve("data").resolve(id);

        try (Container c = new Container(rt, dir.resolve("rt-root"), bundle, id)) {
            c.startDetached();

            JsonNode row = find(daemon.ps(), id);
            assertTrue(row != null, "nestletctl ps lists " + id + ":\n" + daemon.ps());
            assertEquals(c.pid(), row.path("pid").asInt(), "ps shows the container's init pid");
            assertEquals(
                    rt.binary(),
                    row.path("runtime").asText(),
                    "ps names the runtime that ran the hook");
            assertEquals("running", row.path("stage").asText());
            assertEquals(rootUid, row.path("rootUid").asLong());

            String mountinfo = c.exec("cat", "/proc/self/mountinfo").ok().out();
            for (String target :
                    List.of("/var/lib/docker", "/var/lib/containerd", "/var/lib/buildkit")) {
                String line =
                        mountinfo
                                .lines()
                                .filter(l -> l.split(" ")[4].equals(target))
                                .findFirst()
                                .orElseThrow(
                                        () ->
                                                new AssertionError(
                                                        target
                                                                + " is not a mount point inside:\n"
                                                                + mountinfo));
                String[] f = line.split(" ");
                String fsType = f[List.of(f).indexOf("-") + 1];
                String leaf = Path.of(target).getFileName().toString();
                assertEquals(
                        dataDir.resolve(leaf).toString(), f[3], "bind of the host dir: " + line);
                assertTrue(
                        List.of("ext4", "xfs", "btrfs").contains(fsType),
                        "real filesystem, not overlay: " + line);
            }

            c.exec("touch", "/var/lib/docker/made-inside").ok();
            assertEquals(
                    "0 0",
                    c.exec("stat", "-c", "%u %g", "/var/lib/docker").ok().out().trim(),
                    "container root owns its data dir");
            Path made = dataDir.resolve("docker/made-inside");
            assertEquals(
                    (int) rootUid,
                    Files.getAttribute(made, "unix:uid"),
                    "written by container root");

            c.kill();
            c.delete().ok();
        }
        assertTrue(find(daemon.ps(), id) == null, "poststop unregistered " + id);
        assertEquals(
                List.of(),
                Mounts.mentioning(dataDir.toString()),
                "no mount of the data dir is left");
        assertFalse(
                Files.exists(dataDir, LinkOption.NOFOLLOW_LINKS), "data dir removed: " + dataDir);
    }

    @Test
    void containerWithoutAnnotationIsLeftAlone() throws Exception {
        String id = TestDir.unique("plain");
        Path bundle = dir.resolve(id);
        Path rootfs = Rootfs.busybox(bundle.resolve("rootfs"));
        new Spec(rootfs, "sh", "-c", "cat /proc/self/mountinfo")
                .nestletHooks(daemon.socket())
                .writeTo(bundle);
        Cmd.Result r =
                new Container(OciRuntime.RUNC, dir.resolve("rt-root"), bundle, id).run().ok();
        assertFalse(r.out().contains("/var/lib/docker"), "no inner data dir mounted:\n" + r.out());
        assertFalse(
                Files.exists(rootfs.resolve("var/lib/docker")), "nothing created in its rootfs");
        assertFalse(
                Files.exists(daemon.stateDir().resolve("data").resolve(id)), "no host data dir");
        assertTrue(find(daemon.ps(), id) == null);
    }

    static JsonNode find(JsonNode ps, String id) {
        for (JsonNode r : ps) {
            if (r.path("id").asText().equals(id)) {
                return r;
            }
        }
        return null;
    }
}
