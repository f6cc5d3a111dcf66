package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * nestletd works for a container on that container's CPUs (issue 11): while a system container
 * whose cpuset is CPU 1 reads its virtual files and makes emulated proc mounts in a loop, the
 * nestletd threads answering it (a FUSE thread, a seccomp handler, the namespace worker that makes
 * the mount) are seen allowed on CPU 1 alone; once it stops, every thread is back on nestletd's own
 * CPUs. Observed from outside, in /proc/NESTLETD/task/TID/status (Cpus_allowed_list).
 */
class CpuAffinityIT extends DaemonTest {
    /** The thread kinds that work for a container, by the start of their names. */
    private static final Set<String> KINDS = Set.of("fuse-", "seccomp-handler", "ns-worker-");

    @Override
    protected String name() {
        return "cpu-affinity";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        return SubIds.pool(testDir, 6_700_000, 65536);
    }

    @Test
    void threadsWorkingForAContainerRunOnItsCpusAndComeBack() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs CPUs 0 and 1");
        String home = allowed(Path.of("/proc/" + daemon.pid() + "/status"));
        assumeTrue(home != null && !home.equals("1"), "nestletd may run on more than CPU 1");
        try (Container c = system("pinned")) {
            assertEquals(
                    "1",
                    c.exec("sh", "-c", "grep Cpus_allowed_list /proc/self/status")
                            .ok()
                            .out()
                            .replaceAll("\\s+", " ")
                            .trim()
                            .replace("Cpus_allowed_list: ", ""),
                    "the container runs on CPU 1");
            CompletableFuture<Cmd.Result> load =
                    c.shInBackground(
                            "(while [ ! -e /stop ]; do cat /proc/meminfo > /dev/null; done) &"
                                    + " (while [ ! -e /stop ]; do mount -t proc proc /x &&"
                                    + " umount -l /x; done) & wait");
            Set<String> seen = new TreeSet<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (seen.size() < KINDS.size() && System.nanoTime() < end) {
                threads()
                        .forEach(
                                (name, cpus) -> {
                                    if ("1".equals(cpus)) {
                                        KINDS.stream().filter(name::startsWith).forEach(seen::add);
                                    }
                                });
            }
            c.exec("touch", "/stop").ok();
            load.get(60, TimeUnit.SECONDS);
            assertEquals(
                    new TreeSet<>(KINDS),
                    seen,
                    "threads seen on CPU 1 alone while they worked for the container");

            Map<String, String> after = threads();
            long back = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (after.values().stream().anyMatch("1"::equals) && System.nanoTime() < back) {
                Thread.sleep(100);
                after = threads();
            }
            after.forEach(
                    (name, cpus) ->
                            assertTrue(
                                    cpus == null || cpus.equals(home),
                                    name + " is back on nestletd's CPUs " + home + ": " + cpus));
        }
    }

    /** nestletd's threads: "name tid" -> Cpus_allowed_list (null for one that just ended). */
    private Map<String, String> threads() throws IOException {
        Map<String, String> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + daemon.pid() + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String comm = Files.readString(t.resolve("comm")).trim();
                    out.put(comm + " " + t.getFileName(), allowed(t.resolve("status")));
                } catch (IOException e) {
                    // the thread ended between the listing and the read
                }
            }
        }
        return out;
    }

    private static String allowed(Path status) throws IOException {
        return Files.readAllLines(status).stream()
                .filter(l -> l.startsWith("Cpus_allowed_list:"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst()
                .orElse(null);
    }

    private Container system(String name) throws Exception {
        String id = TestDir.unique(name);
        Path bundle = dir.resolve(id);
        Path rootfs = Rootfs.busybox(bundle.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("x"));
        new Spec(rootfs, "sleep", "300")
                .resources(256L << 20, "1", 100_000, 100_000)
                .writeTo(bundle);
        return Container.viaShim(OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, id)
                .startDetached();
    }
}
