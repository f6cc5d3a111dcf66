package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Talks to the init of the DinD image (nestlet-e2e-init) of a running container, whoever started
 * it: drops a script into its /run, waits for the init to run it as its own child (so with the
 * container's own namespaces, capabilities, seccomp filter and cgroups) and reads what it printed.
 */
public final class InitRunner {
    private static final AtomicInteger JOBS = new AtomicInteger();

    private final int pid;

    public InitRunner(int pid) {
        this.pid = pid;
    }

    public int pid() {
        return pid;
    }

    /**
     * Runs {@code script} with sh as a child of the container's init; waits up to {@code seconds}.
     */
    public Cmd.Result sh(String script, long seconds) throws IOException, InterruptedException {
        Path dir = Path.of("/proc/" + pid + "/root/run/nestlet-e2e");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!Files.isDirectory(dir)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the system container's init never made " + dir);
            }
            Thread.sleep(50);
        }
        String job = "job" + JOBS.incrementAndGet();
        // Written as the container's root: host root has no id on filesystems its user namespace
        // mounted.
        String in = "/run/nestlet-e2e/" + job;
        Cmd.of(
                        "nsenter",
                        "-t",
                        Integer.toString(pid),
                        "-U",
                        "-m",
                        "sh",
                        "-c",
                        "cat > " + in + ".tmp && mv " + in + ".tmp " + in + ".sh")
                .stdin(script)
                .run()
                .ok();
        Path rc = dir.resolve(job + ".rc");
        while (!Files.exists(rc)) {
            if (System.nanoTime() > deadline) {
                Path out = dir.resolve(job + ".out");
                throw new AssertionError(
                        "script did not finish in "
                                + seconds
                                + " s: "
                                + script
                                + "\n"
                                + (Files.exists(out) ? Files.readString(out) : ""));
            }
            Thread.sleep(50);
        }
        int exit = Integer.parseInt(Files.readString(rc).trim());
        return new Cmd.Result(
                List.of("sh", "-c", script), exit, Files.readString(dir.resolve(job + ".out")), "");
    }

    /** Waits until the inner dockerd answers `docker info`; returns its output. */
    public Cmd.Result awaitDockerd(long seconds) throws IOException, InterruptedException {
        return sh(
                "i=0; until docker info >/dev/null 2>&1; do i=$((i+1)); [ $i -gt "
                        + seconds * 10
                        + " ] && { tail -30 /var/log/dockerd.log; exit 1; }; sleep 0.1; done; docker info",
                seconds + 10);
    }
}
