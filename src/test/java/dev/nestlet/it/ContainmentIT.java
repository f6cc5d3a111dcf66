package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Quiet;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One container holding open virtual files up to its cap, then storming them, beside a quiet one:
 * the noisy one gets EMFILE, the quiet one opens and reads throughout, nestletd stays up. And a
 * storm of reads beyond the container's CPU budget: deferred, never failed.
 */
@Quiet
class ContainmentIT extends DaemonTest {
    /** Seven, so that busybox sh can hold them all on fds 3 to 9. */
    private static final int MAX_OPEN = 7;

    @Override
    protected String name() {
        return "containment";
    }

    @Override
    protected String[] daemonArgs(Path testDir) {
        // 5% of a CPU: a storm of 6 readers goes past it early (it ran 35-50 s at 6 x 500 reads).
        // The quiet one's 200 reads may go past it too: they wait, they do not fail.
        return new String[] {
            "--vfs-max-open", String.valueOf(MAX_OPEN), "--container-cpu-budget", "5"
        };
    }

    @Test
    void aContainerAtItsOpenCapGetsEmfileWhileItsNeighbourReads() throws Exception {
        try (Container noisy = start("noisy");
                Container quiet = start("quiet")) {
            // sleep holds 7 opens (fds 3-9) in the background; its pid is kept to end it later.
            Cmd.Result held =
                    noisy.exec(
                            "sh",
                            "-c",
                            "sleep 120 >/dev/null 2>&1 3</proc/meminfo 4</proc/uptime 5</proc/stat"
                                    + " 6</proc/loadavg 7</proc/cpuinfo 8</proc/swaps"
                                    + " 9</proc/meminfo & echo $! > /scratch/holder; sleep 1;"
                                    + " cat /proc/uptime");
            assertTrue(
                    held.exit() != 0 && held.err().contains("Too many open files"),
                    "the eighth open fails with EMFILE: " + held);

            // A storm of the noisy one (16 readers, every one refused) while the quiet one reads.
            CompletableFuture<Cmd.Result> storm =
                    noisy.shInBackground(
                            "for i in $(seq 16); do (end=$(( $(date +%s) + 5 ));"
                                    + " while [ $(date +%s) -lt $end ]; do cat"
                                    + " /proc/meminfo >/dev/null 2>&1; done) &"
                                    + " done; wait");
            Cmd.Result reads =
                    quiet.exec(
                            "sh",
                            "-c",
                            "n=0; for i in $(seq 200); do grep -q MemTotal /proc/meminfo &&"
                                    + " n=$((n+1)); done; echo reads=$n");
            assertEquals("reads=200", reads.out().trim(), "the quiet one never fails: " + reads);
            storm.get(60, TimeUnit.SECONDS);

            Cmd.Result after =
                    noisy.exec(
                            "sh",
                            "-c",
                            "kill $(cat /scratch/holder); for i in $(seq 50); do"
                                    + " cat /proc/uptime >/dev/null 2>&1 && echo ok && exit 0;"
                                    + " sleep 0.1; done; exit 1");
            assertEquals(0, after.exit(), "its opens closed, the noisy one reads again: " + after);
            assertTrue(daemon.alive(), "nestletd still serves");
            assertTrue(
                    daemon.log().contains("refused with EMFILE"),
                    "the refusal is logged:\n" + daemon.log());
            long lines = daemon.log().lines().filter(l -> l.contains("refused with")).count();
            assertTrue(lines <= 3, "thousands of refusals, a few lines: " + lines);
        }
    }

    @Test
    void aStormOverItsCpuBudgetIsDeferredWhileItsNeighbourReadsTheRightValues() throws Exception {
        try (Container noisy = start("storm");
                Container quiet = start("calm")) {
            // The shell's own read: no process per read, so the storm is as fast as nestletd
            // answers whatever the machine's load and the container's CPU limit. Six readers, each
            // holding one open at a time: within MAX_OPEN, so none is refused.
            String check =
                    "read l </proc/meminfo; case \"$l\" in 'MemTotal:'*' 262144 kB') ;;"
                            + " *) echo \"wrong: $l\";; esac";
            CompletableFuture<Cmd.Result> storm =
                    noisy.shInBackground(
                            "for i in $(seq 6); do (n=0; while [ $n -lt 150 ];"
                                    + " do "
                                    + check
                                    + "; n=$((n+1)); done) & done; wait");
            Cmd.Result reads =
                    quiet.exec(
                            "sh",
                            "-c",
                            "n=0; while [ $n -lt 200 ]; do "
                                    + check
                                    + "; n=$((n+1)); done; echo reads=$n");
            assertEquals("reads=200", reads.out().trim(), "the quiet one never fails: " + reads);
            Cmd.Result stormed = storm.get(60, TimeUnit.SECONDS);
            assertEquals(0, stormed.exit(), "the storm's readers: " + stormed);
            assertEquals("", stormed.out(), "every read of the storm has the right value");

            String metrics = daemon.ctl("metrics").ok().out();
            assertTrue(
                    deferredSeconds(metrics, noisy.id()) > 0,
                    "the storm waited for its budget:\n" + metrics);
            assertTrue(daemon.alive(), "nestletd still serves");
            assertEquals(0, quiet.exec("cat", "/proc/uptime").exit(), "and answers after it");
        }
    }

    /** The {@code nestlet_vfs_deferred_seconds_total} of container {@code id}; 0 when none. */
    private static double deferredSeconds(String metrics, String id) {
        String prefix = "nestlet_vfs_deferred_seconds_total{container=\"" + id + "\"} ";
        return metrics.lines()
                .filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
                .sum();
    }

    private Container start(String name) throws Exception {
        String id = TestDir.unique(name);
        Path bundle = dir.resolve(id);
        VirtualFilesIT.limitedSpec(
                        Rootfs.busybox(bundle.resolve("rootfs")), daemon.socket(), "sleep", "300")
                .writeTo(bundle);
        return new Container(OciRuntime.RUNC, dir.resolve("rt-root"), bundle, id).startDetached();
    }
}
