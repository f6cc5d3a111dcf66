package dev.nestlet.it.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to completion with a deadline, capturing its output in files (never a pipe a child
 * could hold).
 */
public final class Cmd {
    /** What a finished command left. */
    public record Result(List<String> command, int exit, String out, String err) {
        public Result ok() {
            if (exit != 0) {
                throw new AssertionError(
                        "command failed (exit "
                                + exit
                                + "): "
                                + String.join(" ", command)
                                + "\nstdout: "
                                + out
                                + "\nstderr: "
                                + err);
            }
            return this;
        }

        public String all() {
            return out + err;
        }
    }

    private final List<String> command = new ArrayList<>();
    private Map<String, String> env = Map.of();
    private Path dir;
    private String stdin;
    private long timeoutSeconds = 120;

    private Cmd(List<String> command) {
        this.command.addAll(command);
    }

    public static Cmd of(String... command) {
        return new Cmd(Arrays.asList(command));
    }

    public static Cmd of(List<String> command) {
        return new Cmd(command);
    }

    public Cmd env(Map<String, String> e) {
        this.env = e;
        return this;
    }

    public Cmd dir(Path d) {
        this.dir = d;
        return this;
    }

    public Cmd stdin(String s) {
        this.stdin = s;
        return this;
    }

    public Cmd timeout(long seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    public Result run() {
        try {
            File out = File.createTempFile("cmd-out", ".txt");
            File err = File.createTempFile("cmd-err", ".txt");
            try {
                ProcessBuilder pb =
                        new ProcessBuilder(command).redirectOutput(out).redirectError(err);
                pb.environment().putAll(env);
                if (dir != null) {
                    pb.directory(dir.toFile());
                }
                if (stdin == null) {
                    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                }
                Process p = pb.start();
                if (stdin != null) {
                    try (var in = p.getOutputStream()) {
                        in.write(stdin.getBytes(StandardCharsets.UTF_8));
                    }
                }
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor();
                    throw new AssertionError(
                            "command timed out after "
                                    + timeoutSeconds
                                    + " s: "
                                    + String.join(" ", command)
                                    + "\nstdout: "
                                    + Files.readString(out.toPath())
                                    + "\nstderr: "
                                    + Files.readString(err.toPath()));
                }
                return new Result(
                        List.copyOf(command),
                        p.exitValue(),
                        Files.readString(out.toPath()),
                        Files.readString(err.toPath()));
            } finally {
                out.delete();
                err.delete();
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    public static Result sh(String script) {
        return of("sh", "-c", script).run();
    }
}
