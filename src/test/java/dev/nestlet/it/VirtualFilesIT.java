package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.Mounts;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.ProcFiles;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.TestDir;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Virtual /proc and /sys files on real runtimes: a system container limited to 256 MiB, one CPU of
 * its cpuset and half a CPU of quota reads its own limits and use, live, and cannot write them.
 */
class VirtualFilesIT extends DaemonTest {
    static final long MEMORY = 256L << 20;

    @Override
    protected String name() {
        return "vfs";
    }

    static Stream<Arguments> runtimes() {
        return Stream.of(
                Arguments.of(OciRuntime.RUNC, false),
                Arguments.of(OciRuntime.RUNC, true),
                Arguments.of(OciRuntime.CRUN, false),
                Arguments.of(OciRuntime.CRUN, true));
    }

    /**
     * A busybox system container with the limits of this class; CPU 1 of the host is its only one.
     */
    static Spec limitedSpec(Path rootfs, Path socket, String... args) throws java.io.IOException {
        Files.createDirectories(
                rootfs.resolve("scratch")); // a container root of a user namespace cannot make it
        return new Spec(rootfs, args)
                .system()
                .nestletHooks(socket)
                .resources(MEMORY, "1", 50_000, 100_000)
                .tmpfs("/scratch", "128m");
    }

    @ParameterizedTest(name = "{0}, user namespace: {1}")
    @MethodSource("runtimes")
    void containerSeesItsOwnLimitsAndUse(OciRuntime rt, boolean userns) throws Exception {
        String id = TestDir.unique("vf-" + rt.binary());
        Path bundle = dir.resolve(id);
        Spec spec =
                limitedSpec(
                        Rootfs.busybox(bundle.resolve("rootfs")), daemon.socket(), "sleep", "300");
        if (userns) {
            spec.userns(500000 + rt.idOffset(), 65536);
        }
        spec.writeTo(bundle);
        try (Container c = new Container(rt, dir.resolve("rt-root"), bundle, id)) {
            c.startDetached();
            double up0 = ProcFiles.uptime(c.exec("cat", "/proc/uptime").ok().out());
            assertTrue(up0 >= 0 && up0 < 5, "uptime at start is a few seconds at most: " + up0);

            Map<String, Long> mem = ProcFiles.meminfo(c.exec("cat", "/proc/meminfo").ok().out());
            assertEquals(262144L, mem.get("MemTotal"), "MemTotal is the 256 MiB limit: " + mem);
            assertTrue(
                    mem.get("MemFree") <= mem.get("MemTotal")
                            && mem.get("MemAvailable") <= mem.get("MemTotal"));
            assertEquals(0L, mem.get("SwapTotal"), "no swap on this host");

            String cpuinfo = c.exec("cat", "/proc/cpuinfo").ok().out();
            assertEquals(1, ProcFiles.processors(cpuinfo), "one CPU in cpuinfo:\n" + cpuinfo);
            assertTrue(cpuinfo.startsWith("processor\t: 0\n"), "renumbered from 0:\n" + cpuinfo);
            String stat = c.exec("cat", "/proc/stat").ok().out();
            assertEquals(
                    List.of("cpu0"),
                    ProcFiles.perCpuLines(stat).stream().map(l -> l.split(" ")[0]).toList(),
                    "one cpu line in /proc/stat:\n" + stat);
            assertEquals("0", c.exec("cat", "/sys/devices/system/cpu/online").ok().out().trim());
            assertEquals("1", c.exec("nproc").ok().out().trim(), "nproc (affinity) agrees");
            assertEquals(
                    1,
                    c.exec("cat", "/proc/swaps").ok().out().trim().lines().count(),
                    "swaps: header only");

            c.exec("dd", "if=/dev/zero", "of=/scratch/fill", "bs=1M", "count=64").ok();
            Map<String, Long> after = ProcFiles.meminfo(c.exec("cat", "/proc/meminfo").ok().out());
            long freeDrop = mem.get("MemFree") - after.get("MemFree");
            long availDrop = mem.get("MemAvailable") - after.get("MemAvailable");
            assertTrue(
                    freeDrop > 60_000 && freeDrop < 75_000,
                    "64 MiB in tmpfs moved MemFree by " + freeDrop + " kB");
            assertTrue(
                    availDrop > 60_000 && availDrop < 75_000,
                    "and MemAvailable by " + availDrop + " kB");
            assertTrue(after.get("Shmem") >= 65536, "tmpfs pages are Shmem: " + after);

            Cmd.of(
                            rt.command(
                                    dir.resolve("rt-root"),
                                    "update",
                                    "--memory",
                                    String.valueOf(MEMORY * 3 / 4),
                                    id))
                    .run()
                    .ok();
            assertEquals(
                    196608L,
                    ProcFiles.meminfo(c.exec("cat", "/proc/meminfo").ok().out()).get("MemTotal"),
                    "a limit changed on the running container shows on the next read");

            Thread.sleep(1200);
            double up1 = ProcFiles.uptime(c.exec("cat", "/proc/uptime").ok().out());
            assertTrue(up1 >= up0 + 1, "uptime grows: " + up0 + " then " + up1);

            for (String f : ProcFiles.VIRTUAL) {
                Cmd.Result w = c.exec("sh", "-c", "echo 1 > " + f);
                assertTrue(
                        w.exit() != 0 && w.err().contains("Read-only file system"),
                        "write to " + f + ": " + w);
                Cmd.Result m = c.exec("chmod", "666", f);
                assertTrue(
                        m.exit() != 0 && m.err().contains("Read-only file system"),
                        "chmod of " + f + ": " + m);
            }
            Cmd.Result mk = c.exec("touch", "/proc/made-inside");
            assertTrue(mk.exit() != 0, "procfs itself stays the kernel's: " + mk);
            c.kill();
            c.delete().ok();
        }
        assertEquals(
                List.of(), Mounts.mentioning(id), "nothing of " + id + " is mounted on the host");
    }

    /**
     * The host path of a container's files refuses changes, and a released container's files answer
     * at once.
     */
    @Test
    void hostViewIsReadOnlyAndGoneContainerAnswersCleanly() throws Exception {
        String id = TestDir.unique("vf-gone");
        Path bundle = dir.resolve(id);
        limitedSpec(Rootfs.busybox(bundle.resolve("rootfs")), daemon.socket(), "sleep", "300")
                .writeTo(bundle);
        Path view = daemon.stateDir().resolve("vfs").resolve(id);
        Path meminfo = view.resolve("proc/meminfo");
        try (Container c = new Container(OciRuntime.RUNC, dir.resolve("rt-root"), bundle, id)) {
            c.startDetached();
            assertTrue(
                    Files.readString(meminfo).startsWith("MemTotal:         262144 kB"),
                    "the host reads the container's view at " + meminfo);
            assertThrows(
                    FileSystemException.class, () -> Files.writeString(meminfo, "x"), "no write");
            assertThrows(
                    FileSystemException.class,
                    () -> Files.writeString(view.resolve("proc/new"), "x"),
                    "no create");
            assertThrows(
                    FileSystemException.class,
                    () -> Files.createDirectory(view.resolve("proc/dir")),
                    "no mkdir");
            assertThrows(FileSystemException.class, () -> Files.delete(meminfo), "no unlink");
            assertThrows(
                    FileSystemException.class,
                    () ->
                            Files.setPosixFilePermissions(
                                    meminfo,
                                    java.nio.file.attribute.PosixFilePermissions.fromString(
                                            "rw-rw-rw-")),
                    "no chmod");

            try (FileChannel open = FileChannel.open(meminfo, StandardOpenOption.READ)) {
                ByteBuffer first = ByteBuffer.allocate(10);
                open.read(first);
                c.kill();
                c.delete().ok();
                assertTimeoutPreemptively(
                        Duration.ofSeconds(10),
                        () -> {
                            ByteBuffer rest = ByteBuffer.allocate(64 * 1024);
                            while (open.read(rest) > 0) {
                                // the snapshot taken at open, to its end
                            }
                            String text =
                                    new String(first.array(), StandardCharsets.US_ASCII)
                                            + new String(
                                                    rest.array(),
                                                    0,
                                                    rest.position(),
                                                    StandardCharsets.US_ASCII);
                            assertTrue(
                                    text.startsWith("MemTotal:") && text.contains("SwapFree:"),
                                    text);
                            assertThrows(
                                    NoSuchFileException.class,
                                    () -> Files.readString(meminfo),
                                    "a released container's file is gone");
                        });
            }
        }
        assertFalse(Files.exists(view), "its directory is gone from the mount");
    }
}
