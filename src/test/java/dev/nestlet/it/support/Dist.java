package dev.nestlet.it.support;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The install tree under test (target/dist), built by `mvn package` before the integration tests.
 */
public final class Dist {
    private Dist() {}

    public static Path home() {
        Path p = Path.of(System.getProperty("nestlet.dist", "target/dist")).toAbsolutePath();
        if (!Files.isExecutable(p.resolve("bin/nestletd"))) {
            throw new AssertionError("no install tree at " + p + ": run `mvn package` first");
        }
        return p;
    }

    public static Path bin(String name) {
        return home().resolve("bin").resolve(name);
    }
}
