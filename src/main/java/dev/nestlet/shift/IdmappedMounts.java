package dev.nestlet.shift;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.MountCalls;
import java.nio.file.Files;
import java.nio.file.Path;

/** ID-mapped copies of existing mounts, attached where nestlet wants them. */
public final class IdmappedMounts {
    private IdmappedMounts() {}

    /**
     * Clones the mount tree at {@code source}, id-maps it through {@code userns} and attaches it at
     * {@code target} (created as a directory or an empty file to match). Nothing is attached when
     * the kernel refuses.
     */
    public static void attach(Path source, Path target, Fd userns, boolean recursive)
            throws java.io.IOException {
        try (Fd tree = MountCalls.openTreeClone(source.toString(), recursive)) {
            MountCalls.setAttr(tree, recursive, MountCalls.MOUNT_ATTR_IDMAP, 0, userns.get());
            if (Files.isDirectory(source)) {
                Files.createDirectories(target);
            } else {
                Files.createDirectories(target.getParent());
                if (!Files.exists(target)) {
                    Files.createFile(target);
                }
            }
            MountCalls.moveMount(tree, target.toString());
        }
    }

    /** Detaches what {@link #attach} put at {@code target}; fine if nothing is there. */
    static void detach(Path target) {
        try {
            MountCalls.umount2(
                    target.toString(), MountCalls.MNT_DETACH | MountCalls.UMOUNT_NOFOLLOW);
        } catch (dev.nestlet.sys.SysException e) {
            if (!e.is(dev.nestlet.sys.Errno.EINVAL) && !e.is(dev.nestlet.sys.Errno.ENOENT)) {
                throw e;
            }
        }
    }
}
