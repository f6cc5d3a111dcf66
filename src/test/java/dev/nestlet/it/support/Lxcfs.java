package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** lxcfs, the reference: started by a test on a mount point in its test dir, stopped by its PID. */
public final class Lxcfs implements AutoCloseable {
    private final Path mountPoint;
    private final Process process;

    private Lxcfs(Path mountPoint, Process process) {
        this.mountPoint = mountPoint;
        this.process = process;
    }

    /** Runs `lxcfs -f` on {@code dir}/lxcfs and waits until its /proc/meminfo answers. */
    public static Lxcfs start(Path dir) throws IOException, InterruptedException {
        Path mnt = dir.resolve("lxcfs");
        Files.createDirectories(mnt);
        Process p =
                new ProcessBuilder(
                                "lxcfs",
                                "-f",
                                "-p",
                                dir.resolve("lxcfs.pid").toString(),
                                mnt.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("lxcfs.log").toFile())
                        .start();
        Lxcfs l = new Lxcfs(mnt, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError(
                        "lxcfs exited: " + Files.readString(dir.resolve("lxcfs.log")));
            }
            if (Mounts.mountPoints().contains(mnt.toString())
                    && Files.exists(mnt.resolve("proc/meminfo"))) {
                return l;
            }
            Thread.sleep(20);
        }
        l.close();
        throw new AssertionError("lxcfs did not mount " + mnt);
    }

    public Path mountPoint() {
        return mountPoint;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        if (Mounts.mountPoints().contains(mountPoint.toString())) {
            Cmd.of("umount", "-l", mountPoint.toString()).run().ok();
        }
    }
}
