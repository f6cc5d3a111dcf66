package dev.nestlet.seccomp;

import dev.nestlet.proc.MountTable;
import dev.nestlet.sys.Fd;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One seccomp listener fd a runtime handed over: the filter of one container process (init, or one
 * `exec`) and everything it forks. Lives until every task using the filter is gone (the fd polls
 * HUP).
 */
final class NotifySession {
    private final Fd fd;
    private final String storedAs;
    private final ProcessState state;
    private final Function<String, KnownContainer> known;
    private final AtomicLong handled = new AtomicLong();

    /**
     * The supervisor's reference plus one per answer in flight: the fd closes when the last one
     * lets go.
     */
    private final AtomicInteger references = new AtomicInteger(1);

    private volatile ProtectedMounts protectedMounts;

    NotifySession(Fd fd, ProcessState state, Function<String, KnownContainer> known) {
        this(fd, null, state, known);
    }

    /**
     * @param storedAs the name of the fd's copy in the fd store, or null
     */
    NotifySession(
            Fd fd, String storedAs, ProcessState state, Function<String, KnownContainer> known) {
        this.fd = fd;
        this.storedAs = storedAs;
        this.state = state;
        this.known = known;
    }

    Fd fd() {
        return fd;
    }

    String storedAs() {
        return storedAs;
    }

    ProcessState state() {
        return state;
    }

    long countHandled() {
        return handled.incrementAndGet();
    }

    /** Keeps the fd open (and its number unique) while an answer is being worked out. */
    void retain() {
        references.incrementAndGet();
    }

    /** Lets go of one reference; the last one closes the fd. */
    void release() {
        if (references.decrementAndGet() == 0) {
            fd.close();
        }
    }

    /**
     * nestlet's mounts in this container, captured from its init's mount table the first time they
     * are needed (the container is running by then). Until the container is registered there is
     * nothing to protect, and nothing is cached. The init pid comes from the registry, not from the
     * runtime's message.
     */
    ProtectedMounts protectedMounts() throws IOException {
        ProtectedMounts p = protectedMounts;
        if (p != null) {
            return p;
        }
        KnownContainer c = known.apply(state.containerId());
        if (c == null || c.mounts().isEmpty() || c.initPid() <= 0) {
            return ProtectedMounts.NONE;
        }
        p = ProtectedMounts.capture(MountTable.of(c.initPid()).all(), c.mounts());
        protectedMounts = p;
        return p;
    }

    @Override
    public String toString() {
        return "container " + state.containerId() + " process " + state.pid();
    }
}
