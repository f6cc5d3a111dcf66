package dev.nestlet.daemon;

import dev.nestlet.api.Operation;
import dev.nestlet.api.Peer;
import dev.nestlet.lifecycle.HookResult;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * An operation that logs, once for all the operations sharing {@code logged}, how long after exec
 * nestletd answered its first request about a container: a prepare, or a hook it acted on (not one
 * it ignored, as it ignores the warm-up's and those of containers that are not system containers).
 */
final class FirstAnswer<P> implements Operation<P> {
    private static final Logger LOG = Logger.getLogger(FirstAnswer.class.getName());

    private final Operation<P> op;
    private final StartClock clock;
    private final AtomicBoolean logged;

    FirstAnswer(Operation<P> op, StartClock clock, AtomicBoolean logged) {
        this.op = op;
        this.clock = clock;
        this.logged = logged;
    }

    @Override
    public String name() {
        return op.name();
    }

    @Override
    public Class<P> params() {
        return op.params();
    }

    @Override
    public boolean readOnly() {
        return op.readOnly();
    }

    @Override
    public Object handle(P params, Peer peer) throws Exception {
        Object result = op.handle(params, peer);
        boolean ignored = result instanceof HookResult h && HookResult.IGNORED.equals(h.action());
        if (!ignored && !logged.get() && logged.compareAndSet(false, true)) {
            LOG.info(
                    "first container answered "
                            + clock.millis()
                            + " ms after "
                            + clock.origin()
                            + " ("
                            + name()
                            + ")");
        }
        return result;
    }
}
