package dev.nestlet.it.support;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minbase Debian 12 root, debootstrapped at most once per test JVM and never written to: the
 * package test's machine and the Docker-in-Docker image start from copies of it (a debootstrap
 * costs about a minute of CPU on this machine kind, a copy a few seconds). {@code
 * -Dnestlet.it.debianRoot=DIR} names one built before with scripts/debian-rootfs.sh DIR.
 */
public final class DebianMinbase {
    private static Path root;

    private DebianMinbase() {}

    /** The root; copy it, never write to it. */
    public static synchronized Path bookworm() throws Exception {
        if (root == null) {
            String prebuilt = System.getProperty("nestlet.it.debianRoot", "");
            if (!prebuilt.isEmpty()) {
                root = Path.of(prebuilt);
            } else {
                Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "nestlet-it-minbase-");
                Runtime.getRuntime()
                        .addShutdownHook(
                                new Thread(
                                        () ->
                                                Cmd.of(
                                                                "rm",
                                                                "-rf",
                                                                "--one-file-system",
                                                                dir.toString())
                                                        .run()));
                Path built = dir.resolve("root");
                Cmd.of(script().toString(), built.toString()).timeout(900).run().ok();
                root = built;
            }
        }
        return root;
    }

    /** scripts/debian-rootfs.sh of the source tree under test. */
    static Path script() {
        return Path.of(System.getProperty("nestlet.scripts", "scripts"))
                .resolve("debian-rootfs.sh");
    }
}
