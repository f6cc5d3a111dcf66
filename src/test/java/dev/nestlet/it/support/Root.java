package dev.nestlet.it.support;

/**
 * Integration tests drive real runtimes and mounts: they need root, and say so instead of skipping.
 */
public final class Root {
    private Root() {}

    public static void require() {
        String uid = Cmd.of("id", "-u").run().ok().out().trim();
        if (!uid.equals("0")) {
            throw new AssertionError(
                    "integration tests must run as root (uid is "
                            + uid
                            + "): use `sudo make test`");
        }
    }
}
