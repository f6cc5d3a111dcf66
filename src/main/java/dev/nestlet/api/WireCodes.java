package dev.nestlet.api;

import dev.nestlet.error.ErrorCode;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/** The protocol's name for each error code ({@code "code"} of an error response). */
public final class WireCodes {
    private static final Map<ErrorCode, String> NAMES = new EnumMap<>(ErrorCode.class);

    static {
        for (ErrorCode c : ErrorCode.values()) {
            NAMES.put(c, c.name().toLowerCase(Locale.ROOT));
        }
    }

    private WireCodes() {}

    public static String of(ErrorCode code) {
        return NAMES.get(code);
    }
}
