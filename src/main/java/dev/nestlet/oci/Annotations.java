package dev.nestlet.oci;

/** The annotations nestlet reads from a container's config. */
public final class Annotations {
    /**
     * {@code system} opts a container in on the hook path; {@code off} opts out of nestlet-runtime.
     */
    public static final String MODE = "io.nestlet.mode";

    public static final String MODE_SYSTEM = "system";
    public static final String MODE_OFF = "off";

    private Annotations() {}
}
