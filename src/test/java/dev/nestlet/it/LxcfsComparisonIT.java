package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.Lxcfs;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.ProcFiles;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * nestlet and lxcfs side by side in one container: lxcfs's tree is bound at /lxcfs, nestlet's files
 * sit over the kernel's. Where they agree they must show the same; deliberate differences are in
 * docs/virtual-files.md.
 */
class LxcfsComparisonIT extends DaemonTest {
    private Lxcfs lxcfs;

    @Override
    protected String name() {
        return "lxcfs";
    }

    @BeforeAll
    void startLxcfs() throws Exception {
        lxcfs = Lxcfs.start(dir.path());
    }

    @AfterAll
    void stopLxcfs() throws Exception {
        if (lxcfs != null) {
            lxcfs.close();
        }
    }

    @Test
    void sameLimitsAsLxcfs() throws Exception {
        String id = TestDir.unique("vs-lxcfs");
        Path bundle = dir.resolve(id);
        Path rootfs = Rootfs.busybox(bundle.resolve("rootfs"));
        java.nio.file.Files.createDirectories(rootfs.resolve("lxcfs"));
        VirtualFilesIT.limitedSpec(rootfs, daemon.socket(), "sleep", "300")
                .bind(lxcfs.mountPoint(), "/lxcfs")
                .writeTo(bundle);
        try (Container c = new Container(OciRuntime.RUNC, dir.resolve("rt-root"), bundle, id)) {
            c.startDetached();
            Map<String, Long> ours = ProcFiles.meminfo(c.exec("cat", "/proc/meminfo").ok().out());
            Map<String, Long> theirs =
                    ProcFiles.meminfo(c.exec("cat", "/lxcfs/proc/meminfo").ok().out());
            assertEquals(262144L, ours.get("MemTotal"));
            assertEquals(theirs.get("MemTotal"), ours.get("MemTotal"), "MemTotal");
            assertEquals(theirs.get("SwapTotal"), ours.get("SwapTotal"), "SwapTotal");
            assertEquals(theirs.get("SwapFree"), ours.get("SwapFree"), "SwapFree");
            assertTrue(
                    Math.abs(theirs.get("MemFree") - ours.get("MemFree")) < 8192,
                    "MemFree within 8 MiB: lxcfs "
                            + theirs.get("MemFree")
                            + ", nestlet "
                            + ours.get("MemFree"));

            long cpus = ProcFiles.processors(c.exec("cat", "/proc/cpuinfo").ok().out());
            assertEquals(
                    ProcFiles.processors(c.exec("cat", "/lxcfs/proc/cpuinfo").ok().out()),
                    cpus,
                    "cpuinfo CPUs");
            assertEquals(
                    ProcFiles.perCpuLines(c.exec("cat", "/lxcfs/proc/stat").ok().out()).size(),
                    ProcFiles.perCpuLines(c.exec("cat", "/proc/stat").ok().out()).size(),
                    "stat CPUs");
            // lxcfs lists the host's numbers of the cpuset ("1"), nestlet renumbers from 0 ("0"):
            // count them.
            assertEquals(
                    ProcFiles.cpuCount(
                            c.exec("cat", "/lxcfs/sys/devices/system/cpu/online").ok().out()),
                    ProcFiles.cpuCount(c.exec("cat", "/sys/devices/system/cpu/online").ok().out()),
                    "online CPUs");
            assertEquals("0", c.exec("cat", "/sys/devices/system/cpu/online").ok().out().trim());

            assertEquals(
                    c.exec("cat", "/lxcfs/proc/swaps").ok().out().trim().lines().count(),
                    c.exec("cat", "/proc/swaps").ok().out().trim().lines().count(),
                    "swaps lines");

            String both = c.exec("sh", "-c", "cat /proc/uptime /lxcfs/proc/uptime").ok().out();
            String[] lines = both.trim().split("\n");
            double up = ProcFiles.uptime(lines[0]);
            double theirUp = ProcFiles.uptime(lines[1]);
            assertTrue(Math.abs(up - theirUp) < 2, "uptime: nestlet " + up + ", lxcfs " + theirUp);
            assertTrue(up < 30, "both count from the container's start: " + up);
            c.kill();
            c.delete().ok();
        }
    }
}
