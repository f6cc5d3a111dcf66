package dev.nestlet.api;

/**
 * One protocol operation. {@code P} is the request body (the request object without "v" and "op");
 * fields it does not declare are rejected.
 */
public interface Operation<P> {
    String name();

    Class<P> params();

    /**
     * Whether the operation only reads nestletd's state (status, ps, inspect, allocations,
     * version). Anything else may change it, and only peers allowed to mutate may call it.
     */
    default boolean readOnly() {
        return false;
    }

    /**
     * Whether a request for it runs on the thread kept for urgent requests instead of queueing
     * behind ordinary ones (the hand-over, whose every millisecond is a gap in serving).
     */
    default boolean urgent() {
        return false;
    }

    /**
     * The result, serialized as the response's "result"; throw {@link NestletException} to fail.
     */
    Object handle(P params, Peer peer) throws Exception;
}
