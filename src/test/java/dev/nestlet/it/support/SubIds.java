package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * subuid/subgid files of the test's own (the system's are never touched), and nestletd's flags for
 * them.
 */
public final class SubIds {
    private SubIds() {}

    /**
     * Writes {@code nestlet:BASE:COUNT} plus a neighbour entry of another user right after it
     * (which nestlet must never hand out), returns the flags.
     */
    public static String[] pool(Path dir, long base, long count) throws IOException {
        String text =
                "nestlet:" + base + ":" + count + "\ncontainers:" + (base + count) + ":65536\n";
        Path uid = dir.resolve("subuid");
        Path gid = dir.resolve("subgid");
        Files.writeString(uid, text);
        Files.writeString(gid, text);
        return new String[] {"--subuid", uid.toString(), "--subgid", gid.toString()};
    }
}
