package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.Daemon;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Quiet;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ranges and mounts through many cycles and through SIGKILLs of nestletd. */
@Quiet
class LeaksAndCrashesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode allocations(Daemon d) throws Exception {
        return JSON.readTree(d.ctl("allocations", "-o", "json").ok().out());
    }

    @Test
    void twoHundredCreateDeleteCyclesLeakNothing() throws Exception {
        Root.require();
        try (TestDir dir = new TestDir("cycles");
                Daemon daemon =
                        new Daemon(dir.path(), SubIds.pool(dir.path(), 4_000_000, 2 * 65536))
                                .start()) {
            Path bundle = dir.resolve("bundle");
            Path rootfs = Rootfs.busybox(bundle.resolve("rootfs"));
            for (int i = 0; i < 200; i++) {
                new Spec(rootfs, "true")
                        .writeTo(bundle); // each create gets a fresh config, as engines write one
                Container c =
                        Container.viaShim(
                                OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, "cycle-" + i);
                c.create().ok();
                c.delete().ok();
            }
            assertEquals(0, allocations(daemon).path("inUse").size(), "no range leaked");
            assertEquals(2, allocations(daemon).path("free").size());
            assertEquals(List.of(), daemon.containerMountsLeft(), "no mount leaked");
            assertEquals(0, daemon.ps().size());
            try (var s = Files.list(daemon.stateDir().resolve("mounts"))) {
                assertEquals(0, s.count(), "no mount dir left");
            }
        }
    }

    @Test
    void killedBetweenPrepareAndPoststopNeverHandsARangeOutTwice() throws Exception {
        Root.require();
        try (TestDir dir = new TestDir("kill")) {
            String[] pool = SubIds.pool(dir.path(), 4_500_000, 2 * 65536);
            Daemon first = new Daemon(dir.path(), pool).start();
            Path b1 = dir.resolve("b1");
            new Spec(Rootfs.busybox(b1.resolve("rootfs")), "sleep", "300").writeTo(b1);
            Container c1 =
                    Container.viaShim(OciRuntime.RUNC, first, dir.resolve("rt"), b1, "survivor");
            Path b2 = dir.resolve("b2");
            new Spec(Rootfs.busybox(b2.resolve("rootfs")), "sleep", "300").writeTo(b2);
            Container c2 =
                    Container.viaShim(OciRuntime.RUNC, first, dir.resolve("rt"), b2, "orphan");
            try {
                c1.startDetached();
                c2.create().ok(); // prepared and created, not started
                String base1 =
                        c1.exec("cat", "/proc/self/uid_map").ok().out().trim().split("\\s+")[1];
                first.kill();

                try (Daemon second = new Daemon(dir.path(), pool).start()) {
                    assertEquals(
                            2, allocations(second).path("inUse").size(), "both ranges still held");
                    assertEquals(0, allocations(second).path("free").size());
                    c1.exec("touch", "/still-works").ok();

                    // A third container must not get either range: the pool is exhausted.
                    Path b3 = dir.resolve("b3");
                    new Spec(Rootfs.busybox(b3.resolve("rootfs")), "true").writeTo(b3);
                    Cmd.Result r =
                            Container.viaShim(
                                            OciRuntime.RUNC, second, dir.resolve("rt"), b3, "third")
                                    .run();
                    assertNotEquals(0, r.exit());
                    assertTrue(r.err().contains("pool_exhausted"), r.err());

                    // The orphan goes away without its poststop reaching anyone: kill, then delete.
                    second.kill();
                    c2.kill();
                    c2.delete();
                    try (Daemon third = new Daemon(dir.path(), pool).start()) {
                        JsonNode used = allocations(third).path("inUse");
                        assertEquals(1, used.size(), "the orphan's range was freed: " + used);
                        assertEquals(base1, used.get(0).path("range").path("uidBase").asText());
                        c1.kill();
                        c1.delete().ok();
                        assertEquals(0, allocations(third).path("inUse").size());
                    }
                }
            } finally {
                c1.close();
                c2.close();
                first.close();
            }
        }
    }
}
