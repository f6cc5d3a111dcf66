package dev.nestlet.ns;

import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.SysException;

/**
 * Paths inside a container, resolved against an fd of its root directory with
 * openat2(RESOLVE_IN_ROOT): a symlink in the image, absolute or full of "..", can only ever lead
 * somewhere inside that root, as it would for the container itself. Never built by string
 * concatenation with the host path of the root.
 */
public final class RootedPaths {
    private static final long RESOLVE = FileCalls.RESOLVE_IN_ROOT | FileCalls.RESOLVE_NO_MAGICLINKS;

    private RootedPaths() {}

    /** An O_PATH fd of the existing directory {@code path} inside {@code root}. */
    public static Fd openDir(Fd root, String path) {
        return FileCalls.openat2(
                root, relative(path), FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0, RESOLVE);
    }

    /** An O_PATH fd of the existing file (of any type) {@code path} inside {@code root}. */
    public static Fd openFile(Fd root, String path) {
        return FileCalls.openat2(root, relative(path), FileCalls.O_PATH, 0, RESOLVE);
    }

    /**
     * An O_PATH fd of the directory {@code path} inside {@code root}, creating missing components
     * with {@code mode}, owned by {@code uid}:{@code gid}.
     */
    public static Fd mkdirs(Fd root, String path, int mode, int uid, int gid) {
        String rel = relative(path);
        if (rel.isEmpty()) {
            return FileCalls.openat2(
                    root, ".", FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0, RESOLVE);
        }
        String[] parts = rel.split("/+");
        Fd dir = FileCalls.openat2(root, ".", FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0, RESOLVE);
        StringBuilder walked = new StringBuilder();
        try {
            for (String part : parts) {
                if (part.equals("..") || part.equals(".")) {
                    throw new IllegalArgumentException(
                            "path inside a container must be normalized: " + path);
                }
                walked.append('/').append(part);
                Fd next = openOrCreate(root, dir, walked.toString(), part, mode, uid, gid);
                dir.close();
                dir = next;
            }
            return dir;
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    private static Fd openOrCreate(
            Fd root, Fd parent, String walked, String name, int mode, int uid, int gid) {
        try {
            return FileCalls.openat2(
                    root,
                    walked.substring(1),
                    FileCalls.O_PATH | FileCalls.O_DIRECTORY,
                    0,
                    RESOLVE);
        } catch (SysException e) {
            if (!e.is(Errno.ENOENT)) {
                throw e;
            }
        }
        // mkdirat never follows a symlink in its last component, and parent was
        // itself resolved in root: the new directory lands inside the container.
        try (Fd p =
                FileCalls.openat2(
                        parent, ".", FileCalls.O_RDONLY | FileCalls.O_DIRECTORY, 0, RESOLVE)) {
            if (FileCalls.mkdirat(p, name, mode)) {
                try (Fd created =
                        FileCalls.openat2(
                                p,
                                name,
                                FileCalls.O_RDONLY | FileCalls.O_DIRECTORY | FileCalls.O_NOFOLLOW,
                                0,
                                FileCalls.RESOLVE_BENEATH | FileCalls.RESOLVE_NO_SYMLINKS)) {
                    FileCalls.fchown(created, uid, gid);
                    FileCalls.fchmod(created, mode); // nestletd's umask must not narrow it
                }
            }
        }
        return FileCalls.openat2(
                root, walked.substring(1), FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0, RESOLVE);
    }

    private static String relative(String path) {
        int i = 0;
        while (i < path.length() && path.charAt(i) == '/') {
            i++;
        }
        return path.substring(i);
    }
}
