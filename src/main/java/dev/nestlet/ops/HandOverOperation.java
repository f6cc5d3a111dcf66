package dev.nestlet.ops;

import dev.nestlet.api.Operation;
import dev.nestlet.api.Peer;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * op "handover": a new nestletd, started and warmed up beside this one ({@code nestletd
 * --take-over}), asks it to stop serving so that it can take over the same FUSE connection, seccomp
 * listeners, state and socket. Root only, whatever {@code --group-may-mutate} says: after it
 * nothing answers until the caller serves. Once only.
 */
public final class HandOverOperation implements Operation<HandOverOperation.Params> {
    public record Params() {}

    /** The pid of the nestletd that stopped serving; it exits once the caller serves the socket. */
    public record Result(long pid) {}

    /** What this nestletd does to stop serving (without closing a kept fd); returns its pid. */
    @FunctionalInterface
    public interface StopServing {
        long stop() throws Exception;
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
        if (!done.compareAndSet(false, true)) {
            throw new NestletException(ErrorCode.CONFLICT, "this nestletd has handed over already");
        }
        return new Result(stop.stop());
    }
}
