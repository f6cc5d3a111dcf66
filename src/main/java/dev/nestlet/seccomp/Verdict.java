package dev.nestlet.seccomp;

/**
 * The answer to one notification: let the kernel run the call, fail it with an errno, or report it
 * done (the agent did the work itself).
 */
public record Verdict(Kind kind, int errno, String reason) {
    public enum Kind {
        CONTINUE,
        FAIL,
        DONE
    }

    public static Verdict proceed(String reason) {
        return new Verdict(Kind.CONTINUE, 0, reason);
    }

    public static Verdict fail(int errno, String reason) {
        return new Verdict(Kind.FAIL, errno, reason);
    }

    public static Verdict done(String reason) {
        return new Verdict(Kind.DONE, 0, reason);
    }
}
