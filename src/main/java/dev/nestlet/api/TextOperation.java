package dev.nestlet.api;

/**
 * An operation whose result nestletd can also render for people ({@code "output": "text"}), so that
 * clients print it and never render it themselves.
 *
 * @param <R> the result type
 */
public interface TextOperation<P, R> extends Operation<P> {
    /** The result; throw {@link dev.nestlet.error.NestletException} to fail. */
    R result(P params, Peer peer) throws Exception;

    /** {@code result} as people read it: whole lines, each ending in a newline. */
    String text(R result);

    @Override
    default Object handle(P params, Peer peer) throws Exception {
        return result(params, peer);
    }
}
