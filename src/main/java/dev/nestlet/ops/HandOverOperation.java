package dev.nestlet.ops;

import dev.nestlet.api.Operation;
import dev.nestlet.api.Peer;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * op "handover": a new nestletd, started and warmed up beside this one ({@code nestletd
 * --take-over}), asks it to stop serving so that it can take over the same FUSE connection, seccomp
 * listeners, state and socket. Root only, whatever {@code --group-may-mutate} says: after it
 * nothing answers until the caller serves. Once only.
 */
public final class HandOverOperation implements Operation<HandOverOperation.Params> {
    /**
     * The caller's socket, bound beside this one's path (same directory): it is renamed over the
     * path, so that a client always finds a socket there.
     */
    public record Params(String socket) {}

    /**
     * The pid of the nestletd that stopped serving (it exits once the caller serves the socket) and
     * the number of its fd holding the state dir's serving lock, which the caller duplicates
     * (pidfd_getfd) so that the lock stays held; -1 when it holds none.
     */
    public record Result(long pid, int lockFd) {}

    /**
     * What this nestletd does to stop serving (without closing a kept fd), the caller's socket at
     * {@code beside}; returns its pid and lock fd.
     */
    @FunctionalInterface
    public interface StopServing {
        Result stop(Path beside) throws Exception;
    }

    private final StopServing stop;
    private final AtomicBoolean done = new AtomicBoolean();

    public HandOverOperation(StopServing stop) {
        this.stop = stop;
    }

    @Override
    public String name() {
        return "handover";
    }

    /** From the moment it is asked, the caller waits with the kept fds idle: no queueing. */
    @Override
    public boolean urgent() {
        return true;
    }

    @Override
    public Class<Params> params() {
        return Params.class;
    }

    @Override
    public Result handle(Params params, Peer peer) throws Exception {
        if (peer.uid() != 0) {
            throw new NestletException(
                    ErrorCode.FORBIDDEN,
                    "op 'handover' stops this nestletd serving; only root may call it, uid "
                            + peer.uid()
                            + " may not");
        }
        if (params.socket() == null || params.socket().isEmpty()) {
            throw new NestletException(
                    ErrorCode.BAD_REQUEST,
                    "op 'handover' needs 'socket': where the caller's socket is bound");
        }
        if (!done.compareAndSet(false, true)) {
            throw new NestletException(ErrorCode.CONFLICT, "this nestletd has handed over already");
        }
        return stop.stop(Path.of(params.socket()));
    }
}
