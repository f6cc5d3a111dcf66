package dev.nestlet.kernel;

import dev.nestlet.sys.MountCalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.stream.Stream;

/**
 * A directory of a probe's own on the filesystem under test, with the mounts made in it detached
 * and the directory removed on close.
 */
public final class Scratch implements AutoCloseable {
    private final Path dir;
    private final Deque<Path> mounts = new ArrayDeque<>();

    public Scratch(Path onFilesystemOf) throws IOException {
        this.dir = Files.createTempDirectory(existing(onFilesystemOf), ".nestlet-doctor-");
    }

    /**
     * {@code path}, or its nearest existing parent: the filesystem a state dir not made yet will be
     * on.
     */
    public static Path existing(Path path) {
        Path p = path.toAbsolutePath();
        while (!Files.isDirectory(p) && p.getParent() != null) {
            p = p.getParent();
        }
        return p;
    }

    /** A new empty directory in the scratch dir. */
    public Path dir(String name) throws IOException {
        return Files.createDirectory(dir.resolve(name));
    }

    /** Records that something is mounted at {@code path}: detached on close, last first. */
    public void mounted(Path path) {
        mounts.push(path);
    }

    @Override
    public void close() throws IOException {
        while (!mounts.isEmpty()) {
            MountCalls.umount2(mounts.pop().toString(), MountCalls.MNT_DETACH);
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
