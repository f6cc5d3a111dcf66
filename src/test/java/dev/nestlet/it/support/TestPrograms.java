package dev.nestlet.it.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** The tests' own small C programs (src/test/c), built static where a test needs one. */
public final class TestPrograms {
    private TestPrograms() {}

    /**
     * Builds src/test/c/{@code name}.c into {@code out}: static, so it runs in any root (musl-gcc
     * when present, for a small binary).
     */
    public static Path build(String name, Path out) {
        Path source =
                Path.of(System.getProperty("nestlet.testSources", "src/test"))
                        .resolve("c/" + name + ".c");
        String cc = Files.isExecutable(Path.of("/usr/bin/musl-gcc")) ? "musl-gcc" : "gcc";
        Cmd.of(cc, "-Os", "-static", "-o", out.toString(), source.toString()).run().ok();
        return out;
    }
}
