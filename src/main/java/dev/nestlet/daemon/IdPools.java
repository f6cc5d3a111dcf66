package dev.nestlet.daemon;

import dev.nestlet.idmap.IdAllocator;
import dev.nestlet.idmap.IdPool;
import java.io.IOException;
import java.util.Optional;

/**
 * Builds the id allocator from the daemon's options; a missing pool is not fatal, a wrong one is.
 */
final class IdPools {
    private IdPools() {}

    static IdAllocator allocator(DaemonConfig config) throws IOException {
        DaemonConfig.IdPoolSpec spec = config.idPool();
        Optional<IdPool> pool;
        if (spec.explicit() != null) {
            pool = Optional.of(explicit(spec.explicit(), spec.rangeSize()));
        } else {
            IdPool p =
                    IdPool.fromSubIdFiles(
                            spec.subuid(), spec.subgid(), spec.user(), spec.rangeSize());
            pool = p.blocks().isEmpty() ? Optional.empty() : Optional.of(p);
        }
        String why =
                "no id pool: add '"
                        + spec.user()
                        + ":START:COUNT' (COUNT a multiple of "
                        + spec.rangeSize()
                        + ") to "
                        + spec.subuid()
                        + " and "
                        + spec.subgid()
                        + ", or start nestletd with --id-pool UID:GID:COUNT";
        return new IdAllocator(pool, why, config.stateDir().resolve("idmap.journal"));
    }

    /** The pool {@code --id-pool UID:GID:COUNT} names; a malformed value is refused by its text. */
    static IdPool explicit(String value, long rangeSize) {
        String[] f = value.split(":");
        try {
            if (f.length == 3) {
                return IdPool.explicit(
                        Long.parseLong(f[0]),
                        Long.parseLong(f[1]),
                        Long.parseLong(f[2]),
                        rangeSize);
            }
        } catch (NumberFormatException e) {
            // reported below, with the option's own words
        }
        throw new IllegalArgumentException("--id-pool must be UID:GID:COUNT, not " + value);
    }
}
