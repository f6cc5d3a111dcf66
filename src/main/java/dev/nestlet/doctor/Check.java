package dev.nestlet.doctor;

/** One thing nestlet needs from this node, probed for real where it can be. */
public interface Check {
    /** The check's name, as printed. */
    String name();

    /**
     * Probes; a RuntimeException thrown here is reported as a failure of this check with its
     * message.
     */
    CheckResult run() throws Exception;

    /** What to do when {@link #run} throws (and the fix it reports itself, mostly). */
    String fix();

    /** How a check that throws comes out: a warning where nestlet has a slower way round. */
    default Status whenThrown() {
        return Status.FAIL;
    }
}
