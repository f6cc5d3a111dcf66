package dev.nestlet.lifecycle;

/** The answer to a hook: which container and what nestlet did for it. */
public record HookResult(String id, String action) {
    public static final String IGNORED = "ignored";
    public static final String REGISTERED = "registered";
    public static final String UPDATED = "updated";
    public static final String RELEASED = "released";

    /**
     * poststop while the init still runs: nothing released now; the reconciler does it once the
     * init is gone.
     */
    public static final String DEFERRED = "deferred";

    public static final String NONE = "none";
}
