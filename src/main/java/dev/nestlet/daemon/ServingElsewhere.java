package dev.nestlet.daemon;

/**
 * Another nestletd serves this state dir (it holds {@link ServingLock}): this one stops before it
 * mounts or keeps anything, with a message and no stack trace.
 */
final class ServingElsewhere extends Exception {
    private static final long serialVersionUID = 1L;

    ServingElsewhere(String message) {
        super(message);
    }
}
