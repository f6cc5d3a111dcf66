package dev.nestlet.state;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.PidCalls;

/**
 * A registered container: its current record and a pidfd of its init, which stays valid (and
 * unambiguous) however the pid is reused later.
 */
public final class LiveContainer {
    private volatile ContainerRecord record;
    private final Fd pidfd;

    public LiveContainer(ContainerRecord record, Fd pidfd) {
        this.record = record;
        this.pidfd = pidfd;
    }

    public ContainerRecord record() {
        return record;
    }

    void record(ContainerRecord r) {
        this.record = r;
    }

    /** The init's pidfd, or null when the init was already gone when nestletd (re)started. */
    public Fd pidfd() {
        return pidfd;
    }

    public boolean initAlive() {
        return pidfd != null && pidfd.isOpen() && PidCalls.isAlive(pidfd);
    }

    void close() {
        if (pidfd != null) {
            pidfd.close();
        }
    }
}
