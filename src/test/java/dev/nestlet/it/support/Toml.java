package dev.nestlet.it.support;

import java.nio.file.Path;

/**
 * TOML for the engine configs the fixtures write (containerd config.toml, containers.conf,
 * storage.conf).
 */
final class Toml {
    private Toml() {}

    /** {@code p} as a TOML basic string. */
    static String string(Path p) {
        return "\"" + p.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
