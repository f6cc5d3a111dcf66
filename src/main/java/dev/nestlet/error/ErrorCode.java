package dev.nestlet.error;

/**
 * Why a request failed, as every package below the socket names it. The socket's wire names are
 * {@code api.WireCodes}'; docs/protocol.md lists them with their meaning.
 */
public enum ErrorCode {
    BAD_JSON,
    TOO_LARGE,
    BAD_VERSION,
    UNKNOWN_OP,
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    NO_SUCH_PROCESS,
    PID_MISMATCH,
    NO_BUNDLE,
    BAD_BUNDLE,
    UNSAFE_PATH,
    CONFLICT,
    POOL_EXHAUSTED,
    KERNEL,
    TIMEOUT,
    BUSY,
    INTERNAL
}
