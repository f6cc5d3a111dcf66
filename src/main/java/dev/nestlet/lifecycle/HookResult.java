package dev.nestlet.lifecycle;

/** The answer to a hook: which container and what nestlet did for it. */
public record HookResult(String id, String action) {
    public static final String IGNORED = "ignored";
    public static final String REGISTERED = "registered";
    public static final String UPDATED = "updated";
    public static final String RELEASED = "released";
    public static final String NONE = "none";
}
