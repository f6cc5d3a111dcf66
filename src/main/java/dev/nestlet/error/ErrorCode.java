package dev.nestlet.error;

import com.fasterxml.jackson.annotation.JsonValue;

/** Machine-readable error codes of the protocol; docs/protocol.md lists them with their meaning. */
public enum ErrorCode {
    BAD_JSON("bad_json"),
    TOO_LARGE("too_large"),
    BAD_VERSION("bad_version"),
    UNKNOWN_OP("unknown_op"),
    BAD_REQUEST("bad_request"),
    FORBIDDEN("forbidden"),
    NOT_FOUND("not_found"),
    NO_SUCH_PROCESS("no_such_process"),
    PID_MISMATCH("pid_mismatch"),
    NO_BUNDLE("no_bundle"),
    BAD_BUNDLE("bad_bundle"),
    UNSAFE_PATH("unsafe_path"),
    CONFLICT("conflict"),
    POOL_EXHAUSTED("pool_exhausted"),
    KERNEL("kernel"),
    TIMEOUT("timeout"),
    BUSY("busy"),
    INTERNAL("internal");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }
}
