package dev.nestlet.vfs;

import dev.nestlet.state.ContainerIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.OptionalLong;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The first FUSE node id of each container's subtree, one small file per container ({@code
 * STATE/vfs-nodes/ID}: "BASE COUNT"), so that a nestletd taking over a kept FUSE connection gives
 * every container's files the ids the kernel already has bound in it.
 */
final class NodeBases {
    private static final Logger LOG = Logger.getLogger(NodeBases.class.getName());
    private final Path dir;

    NodeBases(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    void put(String id, long base, long count) throws IOException {
        Path tmp = dir.resolve("." + id + ".tmp");
        Files.writeString(tmp, base + " " + count + "\n", StandardCharsets.US_ASCII);
        Files.move(
                tmp,
                dir.resolve(id),
                StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    OptionalLong base(String id) {
        long[] v = read(dir.resolve(id));
        return v == null ? OptionalLong.empty() : OptionalLong.of(v[0]);
    }

    void remove(String id) throws IOException {
        Files.deleteIfExists(dir.resolve(id));
    }

    Set<String> ids() throws IOException {
        Set<String> ids = new HashSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString())
                    .filter(n -> ContainerIds.ID.matcher(n).matches())
                    .forEach(ids::add);
        }
        return ids;
    }

    /** The first id above every recorded subtree. */
    long end() throws IOException {
        long end = 0;
        for (String id : ids()) {
            long[] v = read(dir.resolve(id));
            if (v != null) {
                end = Math.max(end, v[0] + v[1]);
            }
        }
        return end;
    }

    private static long[] read(Path file) {
        try {
            String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
            return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
        } catch (IOException | RuntimeException e) {
            if (Files.exists(file)) {
                LOG.warning("unreadable " + file + ": " + e);
            }
            return null;
        }
    }
}
