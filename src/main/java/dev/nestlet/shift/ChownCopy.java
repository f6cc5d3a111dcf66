package dev.nestlet.shift;

import dev.nestlet.idmap.IdRange;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.ForkFence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * The fallback where a filesystem refuses ID-mapped mounts: a private copy of the rootfs with every
 * owner moved into the container's range. Slow (it grows with the rootfs), so used only when
 * id-mapping fails.
 */
final class ChownCopy {
    private ChownCopy() {}

    /**
     * Copies {@code source} to {@code target} (which must not exist) and shifts its owners; returns
     * files shifted.
     */
    static long copy(Path source, Path target, IdRange range)
            throws IOException, InterruptedException {
        Process cp =
                ForkFence.start(
                        new ProcessBuilder(
                                        "cp",
                                        "-a",
                                        "--reflink=auto",
                                        "--one-file-system",
                                        source.toString(),
                                        target.toString())
                                .redirectErrorStream(true));
        String out = new String(cp.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!cp.waitFor(30, TimeUnit.MINUTES) || cp.exitValue() != 0) {
            throw new IOException("cannot copy " + source + ": " + out);
        }
        long[] shifted = {0};
        Files.walkFileTree(
                target,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a)
                            throws IOException {
                        shift(d);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path f, BasicFileAttributes a)
                            throws IOException {
                        shift(f);
                        return FileVisitResult.CONTINUE;
                    }

                    private void shift(Path p) throws IOException {
                        int uid =
                                (Integer)
                                        Files.getAttribute(
                                                p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                        int gid =
                                (Integer)
                                        Files.getAttribute(
                                                p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                        int mode =
                                (Integer)
                                        Files.getAttribute(
                                                p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                        // Ids the range cannot hold would land in another container's range: leave
                        // them.
                        if (uid >= range.size() || gid >= range.size()) {
                            return;
                        }
                        FileCalls.lchown(
                                p.toString(),
                                (int) (range.uidBase() + uid),
                                (int) (range.gidBase() + gid));
                        // chown clears set-id bits of regular files; put them back.
                        if ((mode & 06000) != 0 && (mode & FileCalls.S_IFMT) == FileCalls.S_IFREG) {
                            Files.setAttribute(
                                    p, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
                        }
                        shifted[0]++;
                    }
                });
        return shifted[0];
    }
}
