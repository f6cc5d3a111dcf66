package dev.nestlet.it.support;

/**
 * Closes fixtures in order, every one of them even when an earlier close fails, for @AfterAll and
 * finally blocks.
 */
public final class Cleanup {
    private Cleanup() {}

    /**
     * Closes each non-null {@code c} in order; rethrows the first failure with the later ones
     * suppressed.
     */
    public static void closeAll(AutoCloseable... closeables) throws Exception {
        Throwable first = null;
        for (AutoCloseable c : closeables) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception | AssertionError e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof Exception e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
    }
}
