package dev.nestlet.daemon;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.PidCalls;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * One serving nestletd per state dir: {@code STATE/run/serving.lock}, flock(LOCK_EX) held by the
 * nestletd that serves for as long as it lives (two serving one state dir would hand out the same
 * id range twice). The kernel releases it when that process exits, however it ends, which is what
 * wakes a standby. The file's content is the holder's pid, for messages only: the lock is the
 * flock.
 */
final class ServingLock {
    private static final Logger LOG = Logger.getLogger(ServingLock.class.getName());
    static final String FILE = "run/serving.lock";

    private final Path path;
    private final Fd fd;

    private ServingLock(Path path, Fd fd) {
        this.path = path;
        this.fd = fd;
    }

    /** The state dir's lock file (created if missing), not locked yet by this description. */
    static ServingLock open(Path stateDir) throws IOException {
        Path path = stateDir.resolve(FILE);
        Files.createDirectories(path.getParent());
        return new ServingLock(
                path, FileCalls.open(path.toString(), FileCalls.O_RDWR | FileCalls.O_CREAT, 0600));
    }

    /**
     * The lock a nestletd that handed over held ({@code fd} in process {@code pid}), taken as a
     * duplicate of the same open file description (pidfd_getfd): it stays held when that process
     * exits, with no moment where a standby could take it. Empty when that process is gone already,
     * or gave no fd (an older nestletd).
     */
    static Optional<ServingLock> fromHandOver(Path stateDir, long pid, int fd) {
        if (fd < 0) {
            return Optional.empty();
        }
        try (Fd pidfd = PidCalls.pidfdOpen((int) pid)) {
            ServingLock lock =
                    new ServingLock(stateDir.resolve(FILE), PidCalls.pidfdGetfd(pidfd, fd));
            lock.writeHolder();
            return Optional.of(lock);
        } catch (SysException | IOException e) {
            LOG.info("cannot take the serving lock from nestletd " + pid + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Takes the lock if nobody holds it; returns whether it did. */
    boolean tryTake() throws IOException {
        if (!FileCalls.lockExclusive(fd, false)) {
            return false;
        }
        writeHolder();
        return true;
    }

    /** Waits until nobody holds the lock, then takes it. */
    void await() throws IOException {
        FileCalls.lockExclusive(fd, true);
        writeHolder();
    }

    /** Closes this description (for one that never took the lock; the holder's lives on). */
    void close() {
        fd.close();
    }

    /** This description's fd number: what a hand-over's answer names for the next nestletd. */
    int fd() {
        return fd.get();
    }

    /** The pid the holder wrote, or "unknown" when the file does not say. */
    String holder() {
        try {
            String pid = Files.readString(path).trim();
            return pid.matches("[0-9]+") ? pid : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private void writeHolder() throws IOException {
        // A description of its own: the flock is on the lock's description, not on this one.
        Files.writeString(path, ProcessHandle.current().pid() + "\n");
    }
}
