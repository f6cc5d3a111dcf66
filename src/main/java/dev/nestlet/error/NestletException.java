package dev.nestlet.error;

/** A request that fails with a protocol error code and a message for humans. */
public class NestletException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public NestletException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public NestletException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
