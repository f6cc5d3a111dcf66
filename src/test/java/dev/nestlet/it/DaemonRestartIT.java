package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.Daemon;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.Mounts;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.ProcFiles;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * nestletd without an fd store ({@code --fd-store none}) killed, restarted and stopped under a
 * running system container: the dead FUSE mount is replaced, the container's files are bound again,
 * and a clean stop hands it the kernel's files.
 */
class DaemonRestartIT extends DaemonTest {

    @Override
    protected String name() {
        return "restart";
    }

    /** This class covers nestletd without an fd store; RestartIT covers the kept connection. */
    @Override
    protected String[] daemonArgs(Path testDir) {
        return NO_FD_STORE;
    }

    private static final String[] NO_FD_STORE = {"--fd-store", "none"};

    @Test
    void restartedDaemonBindsRunningContainersAgain() throws Exception {
        String id = TestDir.unique("restart");
        Path bundle = dir.resolve(id);
        VirtualFilesIT.limitedSpec(
                        Rootfs.busybox(bundle.resolve("rootfs")), daemon.socket(), "sleep", "300")
                .writeTo(bundle);
        Path vfs = daemon.stateDir().resolve("vfs");
        try (Container c = new Container(OciRuntime.RUNC, dir.resolve("rt-root"), bundle, id)) {
            c.startDetached();
            assertEquals(262144L, memTotal(c));
            String binds =
                    c.exec("grep", "-c", "fuse.nestlet", "/proc/self/mountinfo").ok().out().trim();
            assertTrue(
                    Integer.parseInt(binds) > ProcFiles.VIRTUAL.size(),
                    "its files and its sysctls: " + binds);

            daemon.kill();
            String dead = c.exec("cat", "/proc/meminfo").err();
            assertTrue(
                    dead.contains("Transport endpoint is not connected"),
                    "a crash leaves dead binds: " + dead);

            daemon = new Daemon(dir.path(), NO_FD_STORE).start();
            assertEquals(262144L, memTotal(c), "the restarted daemon bound the files again");
            assertEquals(
                    1, fuseMountsAt(vfs), "one live FUSE mount on the host, the dead one is gone");
            assertEquals(
                    binds,
                    c.exec("grep", "-c", "fuse.nestlet", "/proc/self/mountinfo").ok().out().trim(),
                    "one bind per file inside, no dead one left");

            daemon.close();
            long hostTotal =
                    ProcFiles.meminfo(java.nio.file.Files.readString(Path.of("/proc/meminfo")))
                            .get("MemTotal");
            assertEquals(
                    hostTotal,
                    memTotal(c),
                    "after a clean stop the container reads the kernel's file");
            assertEquals(0, fuseMountsAt(vfs), "nothing left mounted on the host");

            daemon = new Daemon(dir.path(), NO_FD_STORE).start();
            assertEquals(262144L, memTotal(c), "and the next daemon binds them again");
            c.kill();
            c.delete().ok();
        }
    }

    private static long memTotal(Container c) {
        return ProcFiles.meminfo(c.exec("cat", "/proc/meminfo").ok().out()).get("MemTotal");
    }

    private static long fuseMountsAt(Path vfs) {
        List<String> lines = Mounts.mentioning(vfs.toString());
        return lines.stream().filter(l -> l.contains("fuse.nestlet")).count();
    }
}
