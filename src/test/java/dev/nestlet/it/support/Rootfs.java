package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Root filesystems built locally: no registry is reachable. */
public final class Rootfs {
    private Rootfs() {}

    /**
     * A busybox rootfs: the static binary, one symlink per applet, passwd and group, empty mount
     * points.
     */
    public static Path busybox(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String d :
                new String[] {
                    "bin",
                    "sbin",
                    "usr/bin",
                    "usr/sbin",
                    "etc",
                    "proc",
                    "sys",
                    "dev",
                    "tmp",
                    "root",
                    "var"
                }) {
            Files.createDirectories(dir.resolve(d));
        }
        Path busybox = dir.resolve("bin/busybox");
        Files.copy(Path.of("/bin/busybox"), busybox);
        String list = Cmd.of("/bin/busybox", "--list-full").run().ok().out();
        for (String applet : list.split("\n")) {
            if (applet.isBlank() || applet.equals("bin/busybox")) {
                continue;
            }
            Path link = dir.resolve(applet);
            Files.createDirectories(link.getParent());
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, Path.of("/bin/busybox"));
            }
        }
        Files.writeString(
                dir.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n");
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\nnobody:x:65534:\n");
        Cmd.of("chmod", "1777", dir.resolve("tmp").toString()).run().ok();
        return dir;
    }
}
