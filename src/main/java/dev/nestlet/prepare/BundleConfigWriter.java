package dev.nestlet.prepare;

import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.SysException;
import java.nio.file.Path;

/**
 * Replaces a bundle's config.json atomically, keeping its mode, through an fd of the bundle dir:
 * the temporary file {@code .config.json.nestlet} is created with openat2 beneath that dir
 * (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, O_CREAT | O_EXCL | O_NOFOLLOW) after removing whatever
 * entry had that name (unlinkat removes a symlink itself, never its target), and renamed over
 * config.json with renameat. A symlink planted in the bundle never makes nestletd write or chmod a
 * file outside it; config.json being a symlink is refused.
 */
final class BundleConfigWriter {
    static final String TMP = ".config.json.nestlet";
    private static final long BENEATH = FileCalls.RESOLVE_BENEATH | FileCalls.RESOLVE_NO_SYMLINKS;

    private BundleConfigWriter() {}

    static void replace(Path bundle, byte[] json) {
        try (Fd dir =
                FileCalls.open(
                        bundle.toString(),
                        FileCalls.O_PATH | FileCalls.O_DIRECTORY | FileCalls.O_CLOEXEC,
                        0)) {
            int mode;
            try (Fd current =
                    FileCalls.openat2(
                            dir,
                            "config.json",
                            FileCalls.O_PATH | FileCalls.O_NOFOLLOW | FileCalls.O_CLOEXEC,
                            0,
                            BENEATH)) {
                var st = FileCalls.fstat(current);
                if (!st.isRegular()) {
                    throw new SysException(
                            "openat2",
                            Errno.ELOOP,
                            bundle.resolve("config.json") + " (not a regular file)");
                }
                mode = st.mode() & 07777;
            }
            try {
                FileCalls.unlinkat(dir, TMP, false);
            } catch (SysException e) {
                if (!e.is(Errno.ENOENT)) {
                    throw e;
                }
            }
            try (Fd tmp =
                    FileCalls.openat2(
                            dir,
                            TMP,
                            FileCalls.O_WRONLY
                                    | FileCalls.O_CREAT
                                    | FileCalls.O_EXCL
                                    | FileCalls.O_NOFOLLOW
                                    | FileCalls.O_CLOEXEC,
                            0600,
                            BENEATH)) {
                FileCalls.writeAll(tmp, json);
                FileCalls.fchmod(tmp, mode);
            }
            FileCalls.renameat(dir, TMP, "config.json");
        }
    }
}
