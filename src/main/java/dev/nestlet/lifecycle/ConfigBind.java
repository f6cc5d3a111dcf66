package dev.nestlet.lifecycle;

import java.nio.file.Path;
import java.util.List;

/**
 * A bind mount for config.json: the runtime mounts {@code source} (a host path) at {@code
 * destination} (a path inside the container) with {@code options}, in its own mount pass.
 */
public record ConfigBind(String destination, Path source, List<String> options) {
    public ConfigBind {
        options = List.copyOf(options);
    }
}
