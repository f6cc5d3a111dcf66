package dev.nestlet.host;

import dev.nestlet.proc.MountInfo;
import dev.nestlet.proc.MountTable;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.logging.Logger;

/** Directory trees nestlet owns on the host: taking off what is mounted in them, removing them. */
public final class HostTree {
    private static final Logger LOG = Logger.getLogger(HostTree.class.getName());

    private HostTree() {}

    /**
     * Creates {@code dir} (and parents) and makes it mode 0711: a container's root, a host uid of
     * its own, must be able to walk through it to the mounts nestlet prepared below (its rootfs,
     * its data dirs), without being able to list what belongs to others.
     */
    public static Path traversableDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(
                dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        return dir;
    }

    /**
     * Lazily unmounts everything mounted at or below {@code dir} in nestletd's namespace, deepest
     * first.
     */
    public static void unmountBelow(Path dir) throws IOException {
        for (MountInfo m : MountTable.of("self").atOrBelowLastFirst(dir.toString())) {
            LOG.fine("unmounting " + m.mountPoint());
            MountCalls.umount2(m.mountPoint(), MountCalls.MNT_DETACH | MountCalls.UMOUNT_NOFOLLOW);
        }
    }

    /**
     * rm -rf that never follows a symlink and never crosses a mount point: a bind mount of the same
     * filesystem (an id-mapped rootfs, say) has the same device number, so only mount ids tell it
     * apart, and rm would otherwise walk into a container's files and delete them. When something
     * is mounted below, it is unmounted first (nestletd's namespace).
     */
    public static void removeTree(Path root) throws IOException {
        try {
            removeTreeOnOneMount(root);
        } catch (MountPointException e) {
            LOG.warning(e.getMessage() + ": unmounting what is below " + root);
            unmountBelow(root);
            removeTreeOnOneMount(root);
        }
    }

    private static final class MountPointException extends IOException {
        private static final long serialVersionUID = 1L;

        MountPointException(Path p) {
            super(p + " is a mount point");
        }
    }

    private static void removeTreeOnOneMount(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        long mount = FileCalls.mountId(root.toString());
        if (root.getParent() != null && FileCalls.mountId(root.getParent().toString()) != mount) {
            throw new MountPointException(root);
        }
        Files.walkFileTree(
                root,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a)
                            throws IOException {
                        if (FileCalls.mountId(d.toString()) != mount) {
                            throw new MountPointException(d);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path f, BasicFileAttributes a)
                            throws IOException {
                        Files.delete(f);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e)
                            throws IOException {
                        if (e != null) {
                            throw e;
                        }
                        Files.delete(d);
                        return FileVisitResult.CONTINUE;
                    }
                });
    }
}
