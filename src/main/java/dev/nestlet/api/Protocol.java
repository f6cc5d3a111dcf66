package dev.nestlet.api;

/** Constants shared by the server, the CLI's client and docs/protocol.md. */
public final class Protocol {
    /** The only protocol version this daemon speaks. */
    public static final int VERSION = 1;

    public static final String DEFAULT_SOCKET = "/run/nestlet/nestlet.sock";
    public static final int DEFAULT_MAX_REQUEST_BYTES = 1 << 20;

    private Protocol() {}
}
