package dev.nestlet.error;

/**
 * A failure with a code that says why and a message for humans. Thrown by every domain package; the
 * socket turns it into an error response ({@code api.Dispatcher}).
 */
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
