package dev.nestlet.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A nestletd of the test's own: private socket and state dir inside the test dir, started from the
 * install tree, stopped by its PID.
 */
public final class Daemon implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;
    private final Path stateDir;
    private final Path log;
    private final List<String> extraArgs;
    private final List<String> launcher;
    private final Map<String, String> env;
    private Process process;

    public Daemon(Path dir, String... extraArgs) {
        this(dir, dir.resolve("nestlet.sock"), List.of(), Map.of(), extraArgs);
    }

    /** A daemon whose API socket is {@code socket} (in a directory nestletd may create). */
    public Daemon(Path dir, Path socket, String... extraArgs) {
        this(dir, socket, List.of(), Map.of(), extraArgs);
    }

    /**
     * A nestletd started through {@code launcher} (a command prefix that must exec it, so that its
     * PID is nestletd's: e.g. nsenter into a test node's mount namespace, where the same paths
     * exist) with {@code env} added.
     */
    public Daemon(Path dir, List<String> launcher, Map<String, String> env, String... extraArgs) {
        this(dir, dir.resolve("nestlet.sock"), launcher, env, extraArgs);
    }

    private Daemon(
            Path dir,
            Path socket,
            List<String> launcher,
            Map<String, String> env,
            String... extraArgs) {
        this.socket = socket;
        this.stateDir = dir.resolve("state");
        this.log = dir.resolve("nestletd.log");
        this.extraArgs = List.of(extraArgs);
        this.launcher = List.copyOf(launcher);
        this.env = Map.copyOf(env);
    }

    public Daemon start() throws IOException, InterruptedException {
        return start(30);
    }

    /**
     * Starts nestletd and waits up to {@code readySeconds} until it serves (a nestletd that starts
     * up while another serves busy containers shares the CPU with them).
     */
    public Daemon start(long readySeconds) throws IOException, InterruptedException {
        return startUntil("ready on", readySeconds);
    }

    /**
     * Starts nestletd and waits up to {@code seconds} until the socket exists and the log shows
     * {@code marker} after what it held before: "ready on" once serving, or what a standby logs
     * once warm and waiting.
     */
    public Daemon startUntil(String marker, long seconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(
                List.of(
                        Dist.bin("nestletd").toString(),
                        "--socket",
                        socket.toString(),
                        "--state-dir",
                        stateDir.toString(),
                        "--reconcile-interval",
                        "1"));
        cmd.addAll(extraArgs);
        int logStart = logText().length(); // a restarted daemon appends to the same log
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(
                        "nestletd exited with " + process.exitValue() + ":\n" + log());
            }
            if (Files.exists(socket) && logText().indexOf(marker, logStart) >= 0) {
                return this;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("nestletd did not become ready:\n" + log());
    }

    public Path socket() {
        return socket;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** The seccomp agent's listener socket (linux.seccomp.listenerPath for containers). */
    public Path seccompSocket() {
        return stateDir.resolve("run/seccomp.sock");
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public String log() {
        return logText();
    }

    private String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read log: " + e + ")";
        }
    }

    /**
     * Whether the log comes to contain {@code text} within {@code millis}: what nestletd logs after
     * answering a caller can land after the caller is done.
     */
    public boolean logShows(String text, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!logText().contains(text)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** One request over the socket, as the protocol defines it; returns the whole response. */
    public JsonNode request(String json) throws IOException {
        return JSON.readTree(new RawClient(socket).exchange(json + "\n"));
    }

    /** Runs the real nestletctl against this daemon. */
    public Cmd.Result ctl(String... args) {
        List<String> cmd =
                new ArrayList<>(
                        List.of(Dist.bin("nestletctl").toString(), "--socket", socket.toString()));
        cmd.addAll(List.of(args));
        return Cmd.of(cmd).run();
    }

    /** `nestletctl ps -o json`, parsed. */
    public JsonNode ps() throws IOException {
        return JSON.readTree(ctl("ps", "-o", "json").ok().out());
    }

    /**
     * Host mounts under the state dir other than the daemon's own FUSE mount (STATE/vfs, there
     * while it runs): what containers could leave behind.
     */
    public List<String> containerMountsLeft() {
        String vfs = " " + stateDir.resolve("vfs") + " ";
        // nestletd's own mount namespace (the host's, or a test node's) while it runs.
        String ns = alive() ? String.valueOf(pid()) : "self";
        return Mounts.mountInfoLines(ns).stream()
                .filter(l -> l.contains(stateDir.toString()))
                .filter(l -> !l.contains(vfs))
                .toList();
    }

    /**
     * A runtime for engines to exec: nestlet-runtime with this daemon's socket. Engines start
     * runtimes with their own environment, so the socket is set here, as a node would set it in the
     * runtime's config (or use the default).
     */
    public Path runtimeWrapper(Path dir) throws IOException {
        Path shim = dir.resolve("nestlet-runtime");
        Files.writeString(
                shim,
                "#!/bin/sh\nNESTLET_SOCKET="
                        + socket
                        + " exec "
                        + Dist.bin("nestlet-runtime")
                        + " \"$@\"\n");
        shim.toFile().setExecutable(true);
        return shim;
    }

    /**
     * Waits (up to 20 s) until nestletd knows no container and holds no range (a removed pod's
     * range goes at the reconciler's next sweep); then no mount may be left.
     */
    public void awaitAllReleased() throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while ((ps().size() > 0 || rangesInUse() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        org.junit.jupiter.api.Assertions.assertEquals(
                0, ps().size(), "released when the engine removed it");
        org.junit.jupiter.api.Assertions.assertEquals(0, rangesInUse(), "no range held");
        org.junit.jupiter.api.Assertions.assertEquals(
                List.of(), containerMountsLeft(), "no mount left");
    }

    private int rangesInUse() throws IOException {
        return JSON.readTree(ctl("allocations", "-o", "json").ok().out()).path("inUse").size();
    }

    /** SIGTERM and wait: a planned stop (systemctl stop/restart, an upgrade). */
    public void terminate() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new AssertionError("nestletd did not stop on SIGTERM within 20 s:\n" + log());
            }
        }
    }

    /**
     * The nestlet-keeper this daemon's state dir uses (the pid nestletd wrote), if it runs: a
     * process whose command line names this state dir's keeper socket.
     */
    public java.util.Optional<ProcessHandle> keeper() {
        Path pidfile = stateDir.resolve("run/keeper.pid");
        try {
            long pid = Long.parseLong(Files.readString(pidfile).trim());
            String socketPath = stateDir.resolve("run/keeper.sock").toString();
            return ProcessHandle.of(pid)
                    .filter(
                            h -> {
                                List<String> argv = Processes.argv(pid);
                                return argv.size() == 2
                                        && argv.get(0).endsWith("nestlet-keeper")
                                        && argv.get(1).equals(socketPath);
                            });
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /** SIGKILL, as a crash would. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Stops nestletd, then the keeper it started (by its PID, which closes every fd it kept) and
     * unmounts the FUSE mount that only the keeper kept alive.
     */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        java.util.Optional<ProcessHandle> keeper = keeper();
        if (keeper.isPresent()) {
            Processes.stop(List.of(keeper.get()), 2_000);
            Path vfs = stateDir.resolve("vfs");
            if (Mounts.mountPoints().contains(vfs.toString())) {
                Cmd.of("umount", "-l", vfs.toString()).run();
            }
        }
    }
}
