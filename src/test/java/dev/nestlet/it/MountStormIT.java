package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Quiet;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's noisy neighbour through the seccomp agent: a system container with a hostile mount
 * table (over 10 000 entries, mount points named with bytes that are not UTF-8, a space and a
 * newline) storms mount(2) and umount2(2), each of which nestletd answers after reading that table.
 * Beside it a quiet system container reads its virtual files and mounts, and a third one starts:
 * none of them ever fails, and nestletd stays up. How long the quiet one waits is measured by
 * bench/mount-storm.sh, not asserted here.
 */
@Quiet
@Tag("slow")
class MountStormIT extends DaemonTest {
    private static final long MEMORY = 256L << 20;

    /** Doublings of a two-mount tree: 2^14 = 16 384 entries, plus the container's own. */
    private static final int DOUBLINGS = 13;

    /** The hostile table: one tree doubled by recursive binds, and the odd names. */
    static final String HOSTILE_TABLE =
            "mkdir -p /t && mount -t tmpfs t /t && mkdir /t/a && mount -t tmpfs a /t/a"
                    + " && i=0; while [ $i -lt "
                    + DOUBLINGS
                    + " ]; do i=$((i+1)); mkdir /t/b$i && mount --rbind /t /t/b$i || exit 1; done;"
                    + " n=$(printf '/m/\\377\\376 \\nx'); mkdir -p \"$n\""
                    + " && mount -t tmpfs odd \"$n\" && wc -l < /proc/self/mountinfo";

    @Override
    protected String name() {
        return "mount-storm";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        return SubIds.pool(testDir, 6_400_000, 4 * 65536);
    }

    @Test
    void aMountStormOverAHostileTableLeavesItsNeighboursServed() throws Exception {
        try (Container noisy = system("storm");
                Container quiet = system("quiet")) {
            Cmd.Result table = noisy.exec("sh", "-c", HOSTILE_TABLE);
            assertEquals(0, table.exit(), "the hostile table is built: " + table.all());
            long entries = Long.parseLong(table.out().trim());
            assertTrue(entries > 10_000, "mountinfo has " + entries + " entries");

            String quietWork =
                    "r=0; m=0; for i in $(seq 100); do grep -q MemTotal /proc/meminfo && r=$((r+1));"
                            + " mount -t tmpfs q /x && umount /x && m=$((m+1)); done;"
                            + " echo reads=$r mounts=$m";
            long calm = System.nanoTime();
            assertEquals(
                    "reads=100 mounts=100", quiet.exec("sh", "-c", quietWork).ok().out().trim());
            calm = System.nanoTime() - calm;

            // Four storming loops until a file says stop; each umount makes nestletd read the
            // whole hostile table to see what the unmount would take away.
            Stormed s =
                    storm(
                            noisy,
                            "n=0; while [ ! -e /stop ]; do mount -t tmpfs s /s$d && umount /s$d"
                                    + " && n=$((n+1)); done; echo $n",
                            quiet,
                            quietWork);
            Cmd.Result during = s.quiet();
            long stormy = s.quietNanos();
            Cmd.Result stormed = s.storm();

            assertEquals(
                    "reads=100 mounts=100",
                    during.out().trim(),
                    "the quiet one never fails during the storm: " + during.all());
            long cycles = stormed.out().lines().mapToLong(Long::parseLong).sum();
            assertTrue(cycles > 0, "the storm really mounted: " + stormed.all());
            System.out.printf(
                    "[MountStormIT] %d entries; quiet loop %d ms calm, %d ms during the storm"
                            + " (%d storm cycles)%n",
                    entries, calm / 1_000_000, stormy / 1_000_000, cycles);
            assertTrue(daemon.alive(), "nestletd still serves");
            assertEquals(
                    0,
                    noisy.exec("grep", "-q", "MemTotal", "/proc/meminfo").exit(),
                    "the noisy one still reads its virtual files");
            assertNotEquals(
                    0,
                    noisy.exec("umount", "-l", "/proc").exit(),
                    "and still cannot take /proc away");
        }
    }

    /**
     * Namespace-worker fairness: every emulated proc or sysfs mount is made by a namespace worker
     * in the caller's namespaces. A container storming them (four loops, proc and sysfs) beside a
     * quiet one: the quiet one's own emulated mounts and a new container's start (its hooks work in
     * its namespaces through the same workers) all succeed within bounds far below the storm's
     * backlog, and nestletd stays up. bench/mount-storm.sh with STORM=proc measures the ratios.
     */
    @Test
    void anEmulatedMountStormLeavesNamespaceWorkersToTheOthers() throws Exception {
        try (Container noisy = system("ns-storm");
                Container quiet = system("ns-quiet")) {
            String quietMounts =
                    "m=0; for i in $(seq 50); do mount -t proc proc /x && umount -l /x &&"
                            + " m=$((m+1)); done; echo mounts=$m";
            long calm = System.nanoTime();
            Cmd.Result calmMounts = quiet.exec("sh", "-c", quietMounts);
            assertEquals("mounts=50", calmMounts.out().trim(), calmMounts.all());
            calm = System.nanoTime() - calm;

            Stormed s =
                    storm(
                            noisy,
                            "t=proc; [ $((d % 2)) = 0 ] && t=sysfs; n=0; while [ ! -e /stop ]; do"
                                    + " mount -t $t $t /s$d && umount -l /s$d && n=$((n+1)); done;"
                                    + " echo $t $n",
                            quiet,
                            quietMounts);
            Cmd.Result during = s.quiet();
            long stormy = s.quietNanos();
            long start = s.startNanos();
            Cmd.Result stormed = s.storm();

            assertEquals(
                    "mounts=50",
                    during.out().trim(),
                    "the quiet one's emulated mounts never fail during the storm: " + during.all());
            for (String fs : new String[] {"proc", "sysfs"}) {
                long cycles =
                        stormed.out()
                                .lines()
                                .filter(l -> l.startsWith(fs + " "))
                                .mapToLong(l -> Long.parseLong(l.substring(fs.length() + 1)))
                                .sum();
                assertTrue(cycles > 0, "the storm really mounted " + fs + ": " + stormed.all());
            }
            System.out.printf(
                    "[MountStormIT] 50 emulated proc mounts: %d ms calm, %d ms during the storm;"
                            + " a start during it %d ms; storm %s%n",
                    calm / 1_000_000,
                    stormy / 1_000_000,
                    start / 1_000_000,
                    stormed.out().replace('\n', ' '));
            // Bounds far above a fair share (a few ms a mount) and far below a starved one.
            assertTrue(
                    TimeUnit.NANOSECONDS.toSeconds(stormy) < 30,
                    "50 mounts took " + stormy / 1_000_000 + " ms");
            assertTrue(
                    TimeUnit.NANOSECONDS.toSeconds(start) < 30,
                    "the start took " + start / 1_000_000 + " ms");
            assertTrue(daemon.alive(), "nestletd still serves");
            assertEquals(
                    0,
                    noisy.exec("sh", "-c", "mount -t proc proc /s1 && umount -l /s1").exit(),
                    "the noisy one still gets its emulated mounts");
        }
    }

    /** What a storm's neighbours saw, and what the storm printed. */
    private record Stormed(Cmd.Result quiet, long quietNanos, long startNanos, Cmd.Result storm) {}

    /**
     * Runs {@code loop} four times in the background of {@code noisy} ({@code $d} 1 to 4, each with
     * its own empty directory /s$d; a loop ends once /stop exists, printing its count), and during
     * it {@code quietWork} in {@code quiet} and the start of a new system container, which must get
     * its virtual files.
     */
    private Stormed storm(Container noisy, String loop, Container quiet, String quietWork)
            throws Exception {
        noisy.exec("mkdir", "-p", "/s1", "/s2", "/s3", "/s4").ok();
        CompletableFuture<Cmd.Result> storm =
                noisy.shInBackground("for d in 1 2 3 4; do (" + loop + ") & done; wait");
        Thread.sleep(1000); // the loops are storming
        long t0 = System.nanoTime();
        Cmd.Result during = quiet.exec("sh", "-c", quietWork);
        long quietNanos = System.nanoTime() - t0;
        long t1 = System.nanoTime();
        try (Container late = system("late")) {
            long startNanos = System.nanoTime() - t1;
            assertEquals(
                    "MemTotal:         262144 kB",
                    late.exec("head", "-1", "/proc/meminfo").ok().out().trim(),
                    "a container started during the storm gets its virtual files");
            noisy.exec("touch", "/stop").ok();
            return new Stormed(during, quietNanos, startNanos, storm.get(120, TimeUnit.SECONDS));
        }
    }

    private Container system(String name) throws Exception {
        String id = TestDir.unique(name);
        Path bundle = dir.resolve(id);
        Path rootfs = Rootfs.busybox(bundle.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("x"));
        new Spec(rootfs, "sleep", "300").resources(MEMORY, "1", 50_000, 100_000).writeTo(bundle);
        return Container.viaShim(OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, id)
                .startDetached();
    }
}
