package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A container engine started for one test, everything under its own dir: {@link Dockerd}, {@link
 * Podman}, {@link Containerd}. What tests can do with any of them; engine-specific calls
 * (registering a runtime, the CLI) are on each class. close() stops all it started, by PID, and
 * fails if a process, mount or cgroup of its own is left ({@link Leftovers}).
 */
public abstract class Engine implements AutoCloseable {
    private final String name;
    private final Path dir;
    private final String cgroupParent;
    private Duration startTime;

    protected Engine(String name, Path dir) {
        this.name = name;
        this.dir = dir;
        this.cgroupParent = "/" + TestDir.unique("nestlet-it-" + name);
    }

    /** "dockerd", "podman", "containerd". */
    public final String name() {
        return name;
    }

    /** The fixture's directory: the engine's files, sockets and mounts are below it. */
    public final Path dir() {
        return dir;
    }

    /**
     * How long start() took until the engine answered (podman: its first command, which initialises
     * storage).
     */
    public final Duration startTime() {
        return startTime;
    }

    protected final void startTime(Duration d) {
        this.startTime = d;
    }

    /**
     * The cgroup parent of every container this engine starts, unique to the fixture: how close()
     * finds container processes whose engine is gone.
     */
    public String cgroupParent() {
        return cgroupParent;
    }

    /** Imports the cached busybox image ({@link Images}); returns the reference to run it by. */
    public abstract String importBusybox();

    /** Runs {@code command} in a new container of {@code image}, removed afterwards; no network. */
    public abstract Cmd.Result runRm(String image, String... command);

    @Override
    public abstract void close();

    /**
     * Starts a daemon with stdin from /dev/null, output to {@code log} and TMPDIR in the fixture's
     * dir; returns once {@code log} shows {@code ready}, having recorded the time it took.
     */
    protected final Process startDaemon(List<String> command, Path log, String ready)
            throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("tmp"));
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("TMPDIR", dir.resolve("tmp").toString());
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
            while (!readLog(log).contains(ready)) {
                if (!p.isAlive()) {
                    throw new AssertionError(
                            name + " exited with " + p.exitValue() + ":\n" + readLog(log));
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(name + " not ready after 30 s:\n" + readLog(log));
                }
                Thread.sleep(5);
            }
        } catch (AssertionError | InterruptedException e) {
            Processes.stop(
                    List.of(p.toHandle()), 2_000); // the caller never gets it, so close() could not
            throw e;
        }
        startTime = Duration.ofNanos(System.nanoTime() - t0);
        return p;
    }

    /** A log file's text, or why it cannot be read: for failure messages. */
    protected static String readLog(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** {@code head} followed by {@code tail}, as a command's argument array. */
    protected static String[] args(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }
}
