package dev.nestlet.oci;

/** A bundle or its config.json that nestlet cannot use, with the reason. */
public final class BundleException extends Exception {
    private static final long serialVersionUID = 1L;

    public BundleException(String message) {
        super(message);
    }
}
