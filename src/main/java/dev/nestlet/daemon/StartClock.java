package dev.nestlet.daemon;

import dev.nestlet.proc.ProcStat;
import dev.nestlet.vfs.HostFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Milliseconds since nestletd's process started, and the start-up phases passed on the way to
 * serving. The origin is the kernel's record of the process (start time in /proc/self/stat), not
 * the JVM's own clock, which starts only after the launcher and the JVM's set-up have cost their
 * share: the launcher execs the JVM in the same process, so this is the caller's exec of the
 * launcher. Both that start time and /proc/uptime count in 10 ms ticks of the boot-time clock,
 * anchored once to {@link System#nanoTime}: figures are good to about 10 ms.
 */
final class StartClock {
    // Moved once by a standby (restart): its start-up, warm, may have been hours ago.
    private volatile long startNanos;
    private volatile String origin;
    private final List<String> phases = new ArrayList<>();

    private StartClock(long startNanos, String origin) {
        this.startNanos = startNanos;
        this.origin = origin;
    }

    static StartClock ofThisProcess() {
        long startTicks =
                ProcStat.of((int) ProcessHandle.current().pid()).orElseThrow().startTime();
        // Read plainly (HostFiles would load the native binding first, skewing the anchor); the
        // clock is taken right after the read.
        String uptime;
        try {
            uptime = Files.readString(Path.of("/proc/uptime"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long now = System.nanoTime();
        double uptimeSeconds = Double.parseDouble(uptime.substring(0, uptime.indexOf(' ')));
        long agoNanos =
                Math.round(uptimeSeconds * 1e9)
                        - startTicks * (1_000_000_000L / HostFiles.TICKS_PER_SECOND);
        return new StartClock(now - Math.max(0, agoNanos), "exec");
    }

    /** A clock counting from now: for the steps of something other than start-up. */
    static StartClock fromNow() {
        return new StartClock(System.nanoTime(), "asked");
    }

    /**
     * Counts from now on, forgetting the phases so far: a standby's wait for the serving lock is no
     * part of its switch to serving.
     */
    synchronized void restart(String at) {
        startNanos = System.nanoTime();
        origin = at;
        phases.clear();
    }

    /** What the milliseconds count from: "exec", or where {@link #restart} moved them. */
    String origin() {
        return origin;
    }

    long millis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Notes that start-up reached {@code phase} now. */
    synchronized void mark(String phase) {
        phases.add(phase + " " + millis());
    }

    /** The phases marked so far, "name ms" each, in order. */
    synchronized String phases() {
        return String.join(", ", phases);
    }
}
