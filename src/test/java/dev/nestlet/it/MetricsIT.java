package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** nestletctl metrics: Prometheus text of what nestletd did for a real system container. */
class MetricsIT extends DaemonTest {

    @Override
    protected String name() {
        return "metrics";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        return SubIds.pool(testDir, 6_500_000, 2 * 65536);
    }

    @Test
    void metricsCountHooksFuseReadsSeccompCallsAndKeptFds() throws Exception {
        String id = TestDir.unique("metrics");
        Path bundle = dir.resolve(id);
        Path rootfs = Rootfs.busybox(bundle.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("x"));
        new Spec(rootfs, "sleep", "300").writeTo(bundle);
        try (Container c =
                Container.viaShim(OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, id)) {
            c.startDetached();
            c.exec("cat", "/proc/meminfo").ok();
            c.exec("sh", "-c", "mount -t tmpfs t /x && umount /x").ok();
            String text = daemon.ctl("metrics").ok().out();
            assertEquals(1.0, value(text, "nestlet_containers"), text);
            assertEquals(1.0, value(text, "nestlet_id_ranges_in_use"), text);
            assertEquals(1.0, value(text, "nestlet_id_ranges_free"), text);
            assertTrue(value(text, "nestlet_request_seconds_count{op=\"prepare\"}") >= 1, text);
            assertTrue(
                    value(
                                    text,
                                    "nestlet_hook_seconds_count{action=\"registered\",stage=\"createRuntime\"}")
                            >= 1,
                    text);
            assertTrue(value(text, "nestlet_fuse_request_seconds_count{op=\"read\"}") >= 1, text);
            assertTrue(
                    value(
                                    text,
                                    "nestlet_seccomp_notifications_total{call=\"mount\",outcome=\"continue\"}")
                            >= 1,
                    text);
            assertTrue(value(text, "nestlet_seccomp_listeners") >= 1, text);
            assertTrue(
                    value(text, "nestlet_kept_fds") >= 3,
                    "the FUSE fds and the init's listener: " + text);
            c.kill();
            c.delete().ok();
        }
        String after = daemon.ctl("metrics").ok().out();
        assertEquals(0.0, value(after, "nestlet_containers"), after);
    }

    private static double value(String text, String series) {
        Matcher m =
                Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
                        .matcher(text);
        assertTrue(m.find(), series + " not in:\n" + text);
        return Double.parseDouble(m.group(1));
    }
}
