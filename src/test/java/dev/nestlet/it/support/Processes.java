package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Host processes found through /proc by what their command line names, and stopped by PID. Engine
 * fixtures need it for what they start indirectly (containerd shims, conmon, `podman container
 * cleanup`): those are not the JVM's children, but their command lines name the fixture's private
 * socket or directory, which proves they belong to the test. Never by program name: other tests and
 * helpers run the same programs on this machine.
 */
public final class Processes {
    private Processes() {}

    /** Live processes (not this JVM) with an argument that contains {@code text}. */
    public static List<ProcessHandle> mentioning(String text) {
        long self = ProcessHandle.current().pid();
        List<ProcessHandle> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (argv(pid).stream().anyMatch(a -> a.contains(text))) {
                    ProcessHandle.of(pid).filter(h -> !gone(h)).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc", e);
        }
        return out;
    }

    /** The argument vector of {@code pid}; empty when it is gone or a zombie. */
    public static List<String> argv(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            List<String> out = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    out.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) {
                out.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** "PID argv..." for failure messages. */
    public static String describe(ProcessHandle h) {
        return h.pid() + " " + String.join(" ", argv(h.pid()));
    }

    /**
     * SIGTERM, then SIGKILL to whatever is still alive after {@code graceMillis}; returns once all
     * are gone. A zombie counts as gone: it holds nothing, and reaping it is its parent's job (PID
     * 1 on this VM reaps lazily).
     */
    public static void stop(Collection<ProcessHandle> handles, long graceMillis) {
        handles.forEach(ProcessHandle::destroy);
        waitGone(handles, graceMillis);
        handles.stream().filter(h -> !gone(h)).forEach(ProcessHandle::destroyForcibly);
        if (!waitGone(handles, 10_000)) {
            throw new AssertionError(
                    "still alive after SIGKILL: "
                            + handles.stream()
                                    .filter(h -> !gone(h))
                                    .map(Processes::describe)
                                    .toList());
        }
    }

    private static boolean waitGone(Collection<ProcessHandle> handles, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            if (handles.stream().allMatch(Processes::gone)) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Exited, or a zombie (state Z in /proc/PID/stat). */
    public static boolean gone(ProcessHandle h) {
        if (!h.isAlive()) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + h.pid() + "/stat"));
            // "pid (comm) S ...": comm may contain spaces and parentheses; the state follows the
            // last ')'.
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }
}
