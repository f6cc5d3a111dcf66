package dev.nestlet.daemon;

/** A command-line or config-file setting nestletd cannot take; the message says which and why. */
public final class OptionException extends Exception {
    private static final long serialVersionUID = 1L;

    public OptionException(String message) {
        super(message);
    }
}
