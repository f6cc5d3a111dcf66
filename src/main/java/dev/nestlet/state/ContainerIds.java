package dev.nestlet.state;

import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import java.util.regex.Pattern;

/**
 * Which container ids nestlet accepts: they name state files and directories, so they must be safe
 * there.
 */
public final class ContainerIds {
    /**
     * Every runtime's ids fit: letters and digits first, then also '_', '.', '+', '-'; at most 128.
     */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}");

    private ContainerIds() {}

    /** {@code id} when it is valid; a BAD_REQUEST failure otherwise. */
    public static String check(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new NestletException(
                    ErrorCode.BAD_REQUEST,
                    "container id "
                            + (id == null
                                    ? "is missing"
                                    : "'"
                                            + id
                                            + "' is not a valid id (letters, digits, '_', '.', '+', '-'; at most 128)"));
        }
        return id;
    }
}
