package dev.nestlet.vfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The sysctl values of each system container on disk, {@code STATE/sysctl/ID.json}, so a restarted
 * nestletd shows a running container what it wrote. Replaced atomically on each change (without
 * fsync, like the container records); removed when the container is released.
 */
public final class SysctlStore {
    private static final Logger LOG = Logger.getLogger(SysctlStore.class.getName());
    private static final TypeReference<LinkedHashMap<String, long[]>> VALUES = new TypeReference<>() {};

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper();

    public SysctlStore(Path stateDir) throws IOException {
        this.dir = Files.createDirectories(stateDir.resolve("sysctl"));
    }

    public void save(String id, Map<String, long[]> values) {
        Path tmp = dir.resolve("." + id + ".tmp");
        try {
            json.writeValue(tmp.toFile(), values);
            Files.move(tmp, file(id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
            LOG.warning("unreadable sysctl values " + f + " (the host's are taken again): " + e.getMessage());
            return Optional.empty();
        }
    }

    public void remove(String id) throws IOException {
        Files.deleteIfExists(file(id));
    }

    /** Ids with saved values. */
    public Set<String> ids() throws IOException {
        Set<String> ids = new HashSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                ids.add(name.substring(0, name.length() - ".json".length()));
            }
        }
        return ids;
    }

    private Path file(String id) {
        return dir.resolve(id + ".json");
    }
}
