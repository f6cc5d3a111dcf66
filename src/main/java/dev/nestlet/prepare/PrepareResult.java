package dev.nestlet.prepare;

import dev.nestlet.idmap.IdRange;

/** The answer to prepare: what nestlet did to the bundle. */
public record PrepareResult(
        String id, String action, IdRange idRange, boolean adopted, String shift) {
    public static final String PREPARED = "prepared";
    public static final String UNTOUCHED = "untouched";
}
