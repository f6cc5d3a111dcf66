package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * A per-run directory under /var/tmp (a disk filesystem, like a node's /var/lib) that tests confine
 * everything to, and a unique-name source. {@link #close()} unmounts whatever is still mounted
 * below it, then removes it.
 */
public final class TestDir implements AutoCloseable {
    private final Path path;

    public TestDir(String name) throws IOException {
        Path base = Path.of(System.getProperty("nestlet.it.tmp", "/var/tmp"));
        this.path = Files.createTempDirectory(base, "nestlet-it-" + name + "-");
        // Containers with a user namespace must be able to walk to their rootfs.
        Files.setPosixFilePermissions(
                path, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    }

    public Path path() {
        return path;
    }

    public Path resolve(String p) {
        return path.resolve(p);
    }

    /** A short unique name for containers and cgroups of this run. */
    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Unmounts, then removes. If anything is still mounted below, nothing is removed: a bind mount
     * of the same filesystem would let rm reach the files it points to (--one-file-system compares
     * devices only).
     */
    @Override
    public void close() {
        Mounts.unmountBelow(path);
        List<String> left =
                Mounts.mountPoints().stream()
                        .filter(p -> p.equals(path.toString()) || p.startsWith(path + "/"))
                        .toList();
        if (!left.isEmpty()) {
            throw new AssertionError("still mounted below " + path + ", not removing it: " + left);
        }
        Cmd.of("rm", "-rf", "--one-file-system", path.toString()).run();
    }
}
