package dev.nestlet.vfs.sysctl;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.host.AtomicFiles;
import dev.nestlet.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The sysctl values of each system container on disk, {@code STATE/sysctl/ID.json}, so a restarted
 * nestletd shows a running container what it wrote. Replaced atomically on each change (without
 * fsync, like the container records); removed when the container is released.
 */
public final class SysctlStore {
    private static final Logger LOG = Logger.getLogger(SysctlStore.class.getName());
    private static final TypeReference<LinkedHashMap<String, long[]>> VALUES =
            new TypeReference<>() {};

    private final Path dir;
    private final ObjectMapper json = Json.mapper();

    public SysctlStore(Path stateDir) throws IOException {
        this.dir = Files.createDirectories(stateDir.resolve("sysctl"));
    }

    public void save(String id, Map<String, long[]> values) {
        Path tmp = tmp(id);
        try {
            AtomicFiles.replace(file(id), tmp, json.writeValueAsBytes(values));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the sysctl values of " + id, e);
        }
    }

    /** The saved values of {@code id}; empty when none were saved or the file is unreadable. */
    public Optional<Map<String, long[]>> load(String id) {
        Path f = file(id);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(f.toFile(), VALUES));
        } catch (IOException e) {
            LOG.warning(
                    "unreadable sysctl values "
                            + f
                            + " (the host's are taken again): "
                            + e.getMessage());
            return Optional.empty();
        }
    }

    /** Removes the saved values of {@code id}, and what a save interrupted by a crash left. */
    public void remove(String id) throws IOException {
        Files.deleteIfExists(file(id));
        Files.deleteIfExists(tmp(id));
    }

    /** Ids with saved values (a temporary file of an interrupted save is not one). */
    public Set<String> ids() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length()))
                    .collect(Collectors.toSet());
        }
    }

    private Path file(String id) {
        return dir.resolve(id + ".json");
    }

    private Path tmp(String id) {
        return dir.resolve("." + id + ".tmp");
    }
}
