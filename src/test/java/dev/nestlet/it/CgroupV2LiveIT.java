package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.cgroup.Cgroup;
import dev.nestlet.cgroup.CgroupLocator;
import dev.nestlet.cgroup.CgroupText;
import dev.nestlet.cgroup.CgroupV1;
import dev.nestlet.cgroup.CgroupV2;
import dev.nestlet.it.support.Root;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The v2 reader on this machine's live cgroup2 hierarchy (/sys/fs/cgroup/unified, no controllers of
 * its own here): core files (cpu.stat, cgroup.threads) are read from a cgroup the test makes and
 * fills with a busy process; absent controllers read as unlimited and unused.
 */
class CgroupV2LiveIT {
    private static final Path UNIFIED = Path.of("/sys/fs/cgroup/unified");

    @Test
    void readsALiveV2Cgroup() throws Exception {
        Root.require();
        assertTrue(
                Files.exists(UNIFIED.resolve("cgroup.procs")),
                "this machine mounts cgroup2 at " + UNIFIED);
        Path dir = UNIFIED.resolve("nestlet-it-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectory(dir);
        Path child = dir.resolve("inner");
        Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            Files.writeString(dir.resolve("cgroup.procs"), String.valueOf(busy.pid()));
            Thread.sleep(300);
            Cgroup v2 = new CgroupV2(dir, UNIFIED, Path.of("/sys/devices/system/cpu/online"));
            assertEquals(List.of((int) busy.pid()), v2.threads(), "a cgroup without children");
            // A child cgroup (as an inner engine makes): its threads count too.
            Files.createDirectory(child);
            Files.writeString(child.resolve("cgroup.procs"), String.valueOf(sleeper.pid()));
            assertEquals(
                    List.of((int) busy.pid(), (int) sleeper.pid()),
                    v2.threads().stream().sorted().toList(),
                    "the cgroup's and its child's");
            Files.writeString(UNIFIED.resolve("cgroup.procs"), String.valueOf(sleeper.pid()));
            Files.delete(child);
            assertTrue(
                    v2.cpuUsage().userNs() + v2.cpuUsage().systemNs() > 50_000_000L,
                    "cpu.stat counts the busy loop: " + v2.cpuUsage());
            assertEquals(CgroupText.UNLIMITED, v2.memory().limit(), "memory is bound to v1 here");
            assertEquals(
                    CgroupText.cpuList(Files.readString(Path.of("/sys/devices/system/cpu/online")))
                            .cardinality(),
                    v2.cpuLimits().visible().length,
                    "no cpuset or cpu.max in v2 here: the host's CPUs");

            Cgroup located = CgroupLocator.ofHost().forProcess((int) busy.pid());
            assertTrue(
                    located instanceof CgroupV1,
                    "on a hybrid host memory on v1 decides: " + located.describe());
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor(10, TimeUnit.SECONDS);
            if (Files.exists(child)) {
                Files.delete(child);
            }
            busy.destroyForcibly();
            busy.waitFor(10, TimeUnit.SECONDS);
            for (int i = 0; i < 50 && Files.exists(dir); i++) {
                try {
                    Files.delete(dir);
                } catch (java.nio.file.FileSystemException e) {
                    Thread.sleep(20); // the killed process leaves the cgroup a moment later
                }
            }
        }
    }
}
