package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
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

    @Test
    void overlayRootIsRebuiltFromIdMappedLayers() throws Exception {
        String id = TestDir.unique("ovl");
        Path layers = dir.resolve(id + "-layers");
        Path merged =
                Mounts.overlay(
                        Rootfs.busybox(layers.resolve("lower")),
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
                                        "stat -c '%u %g' /bin/busybox; touch /written && echo ok")
                                .ok();
                c.kill();
            }
            assertTrue(
                    r.out().startsWith("0 0"),
                    "lower layer files owned by the container's root: " + r.out());
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
                        layers.resolve("lower"),
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
