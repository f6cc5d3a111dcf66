package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.Daemon;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.Mounts;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The three ways a rootfs is shifted, on real mounts: an overlay root (as engines hand over)
 * rebuilt from id-mapped layers, a rootfs the kernel cannot id-map copied with shifted owners, and
 * host volumes id-mapped.
 */
class ShiftIT extends DaemonTest {
    @Override
    protected String name() {
        return "shift";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        return SubIds.pool(testDir, 3_500_000, 4 * 65536);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Three lower layers, as an image of three layers gets from an engine, and a container id as
     * long as an engine's (64 characters): before Linux 6.8 (KernelCompatIT's 6.1 run) the layers
     * go in one lowerdir value, which fsconfig takes up to 255 bytes only.
     */
    @Test
    void overlayRootIsRebuiltFromIdMappedLayers() throws Exception {
        threeLayerOverlay(daemon, dir.path());
    }

    /** The scenario above with {@code daemon}, in test dir {@code dir}. */
    static void threeLayerOverlay(Daemon daemon, Path dir) throws Exception {
        String id = TestDir.unique("ovl");
        id = id + "0".repeat(64 - id.length());
        Path layers = dir.resolve(id.substring(0, 12) + "-layers");
        Path bottom = Rootfs.busybox(layers.resolve("l0"));
        Path middle = Files.createDirectories(layers.resolve("l1/etc"));
        Files.writeString(middle.resolve("middle"), "1");
        Path top = Files.createDirectories(layers.resolve("l2/etc"));
        Files.writeString(top.resolve("top"), "2");
        Path merged =
                Mounts.overlay(
                        List.of(top.getParent(), middle.getParent(), bottom),
                        layers.resolve("upper"),
                        layers.resolve("work"),
                        layers.resolve("merged"));
        try {
            Path bundle = dir.resolve(id);
            new Spec(merged, "sleep", "300").writeTo(bundle);
            Cmd.Result r;
            try (Container c =
                    Container.viaShim(OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, id)) {
                c.startDetached();
                JsonNode shift =
                        JSON.readTree(daemon.ctl("inspect", id, "-o", "json").ok().out())
                                .path("container")
                                .path("shift");
                assertEquals("idmap-overlay", shift.path("method").asText(), shift.toString());
                r =
                        c.exec(
                                        "sh",
                                        "-c",
                                        "stat -c '%u %g' /bin/busybox /etc/middle /etc/top;"
                                                + " cat /etc/middle /etc/top;"
                                                + " touch /written && echo ok")
                                .ok();
                c.kill();
            }
            assertEquals(
                    List.of("0 0", "0 0", "0 0", "12ok"),
                    r.out().lines().toList(),
                    "every layer's files there, owned by the container's root");
            Path written = layers.resolve("upper/written");
            assertTrue(Files.exists(written), "the write went to the engine's upper dir");
            assertEquals(0, Files.getAttribute(written, "unix:uid"), "as host root");
        } finally {
            Cmd.of("umount", merged.toString()).run();
        }
        assertEquals(List.of(), Mounts.mentioning(daemon.stateDir().resolve("mounts").toString()));
    }

    @Test
    void rootfsTheKernelCannotIdMapIsCopiedWithShiftedOwners() throws Exception {
        // A directory inside an overlay mount (not its root): overlayfs refuses MOUNT_ATTR_IDMAP.
        String id = TestDir.unique("copy");
        Path layers = dir.resolve(id + "-layers");
        Rootfs.busybox(layers.resolve("lower/rootfs"));
        Path merged =
                Mounts.overlay(
                        List.of(layers.resolve("lower")),
                        layers.resolve("upper"),
                        layers.resolve("work"),
                        layers.resolve("merged"));
        try {
            Path bundle = dir.resolve(id);
            new Spec(merged.resolve("rootfs"), "sleep", "300").writeTo(bundle);
            try (Container c =
                    Container.viaShim(OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, id)) {
                c.startDetached();
                JsonNode shift =
                        JSON.readTree(daemon.ctl("inspect", id, "-o", "json").ok().out())
                                .path("container")
                                .path("shift");
                assertEquals("chown-copy", shift.path("method").asText(), shift.toString());
                assertTrue(
                        shift.path("notes").get(0).asText().contains("id-mapped mount refused"),
                        shift.toString());
                Cmd.Result r =
                        c.exec("sh", "-c", "stat -c '%u %g' /bin/busybox; touch /new && echo ok")
                                .ok();
                assertTrue(r.out().startsWith("0 0") && r.out().contains("ok"), r.out());
                c.kill();
            }
            assertFalse(
                    Files.exists(merged.resolve("rootfs/new")),
                    "the copy was written, not the image");
        } finally {
            Cmd.of("umount", merged.toString()).run();
        }
        assertFalse(
                Files.exists(daemon.stateDir().resolve("mounts").resolve(id)),
                "copy removed at poststop");
    }

    @Test
    void hostVolumeIsIdMapped() throws Exception {
        String id = TestDir.unique("vol");
        Path volume = Files.createDirectories(dir.resolve(id + "-volume"));
        Files.writeString(volume.resolve("from-host"), "hello");
        Path bundle = dir.resolve(id);
        Spec spec =
                new Spec(
                        Rootfs.busybox(bundle.resolve("rootfs")),
                        "sh",
                        "-c",
                        "stat -c '%u %g' /data/from-host; touch /data/from-container && echo ok");
        ObjectNode m = spec.json().withArray("mounts").addObject();
        m.put("destination", "/data").put("type", "bind").put("source", volume.toString());
        m.putArray("options").add("rbind").add("rw");
        spec.writeTo(bundle);
        Cmd.Result r =
                Container.viaShim(OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, id)
                        .run()
                        .ok();
        assertTrue(
                r.out().startsWith("0 0"),
                "host root's file appears owned by the container's root: " + r.all());
        assertEquals(
                0,
                Files.getAttribute(volume.resolve("from-container"), "unix:uid"),
                "written as host root");
        assertEquals(List.of(), Mounts.mentioning(daemon.stateDir().resolve("mounts").toString()));
    }
}
