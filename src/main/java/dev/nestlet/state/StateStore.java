package dev.nestlet.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.host.AtomicFiles;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * One JSON file per container under {@code STATE/containers}, replaced atomically (write to a
 * temporary file, rename) so a crash of nestletd leaves either the old or the new record, never
 * half of one.
 *
 * <p>There is no fsync on this path: it would cost milliseconds on every container start, and it
 * only helps against a crash of the whole machine, after which every container is gone anyway and
 * the reconciler removes what they left (an unreadable record is set aside, not trusted).
 */
public final class StateStore {
    private static final Logger LOG = Logger.getLogger(StateStore.class.getName());

    private final Path dir;
    private final ObjectMapper json;

    public StateStore(Path stateDir, ObjectMapper json) throws IOException {
        this.dir = stateDir.resolve("containers");
        this.json = json;
        Files.createDirectories(dir);
    }

    public void save(ContainerRecord rec) throws IOException {
        Path tmp = dir.resolve("." + rec.id() + ".tmp");
        byte[] bytes = json.writeValueAsBytes(rec);
        try {
            AtomicFiles.replace(file(rec.id()), tmp, bytes);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("state dir " + dir + " does not support atomic rename", e);
        }
    }

    public void delete(String id) throws IOException {
        Files.deleteIfExists(file(id));
    }

    /** How many records are on disk (what {@link #loadAll} will read, corrupt ones included). */
    public int count() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path ignored : ds) {
                n++;
            }
        }
        return n;
    }

    /** Every record on disk; unreadable files are logged and set aside, never silently dropped. */
    public List<ContainerRecord> loadAll() throws IOException {
        List<ContainerRecord> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> f : readAll().entrySet()) {
            parseOrSetAside(f.getKey(), f.getValue()).ifPresent(out::add);
        }
        return out;
    }

    /**
     * The record files on disk by file name, with their bytes; changes nothing (a nestletd about to
     * take over reads them while the serving one still writes them).
     */
    public Map<String, byte[]> readAll() throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                try {
                    out.put(p.getFileName().toString(), Files.readAllBytes(p));
                } catch (NoSuchFileException e) {
                    // Deleted since listed: the container was released meanwhile.
                }
            }
        }
        return out;
    }

    /** The record in {@code bytes}; none when unreadable. */
    public Optional<ContainerRecord> parse(byte[] bytes) {
        try {
            return Optional.of(read(bytes));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The record in {@code bytes}, read from {@code file}; when unreadable the file is logged and
     * set aside, never silently dropped.
     */
    public Optional<ContainerRecord> parseOrSetAside(String file, byte[] bytes) throws IOException {
        try {
            return Optional.of(read(bytes));
        } catch (IOException e) {
            Path p = dir.resolve(file);
            Path aside = p.resolveSibling(file + ".corrupt");
            LOG.warning(
                    "unreadable state file " + p + " moved to " + aside + ": " + e.getMessage());
            Files.move(p, aside, StandardCopyOption.REPLACE_EXISTING);
            return Optional.empty();
        }
    }

    private ContainerRecord read(byte[] bytes) throws IOException {
        return json.readValue(bytes, ContainerRecord.class);
    }

    private Path file(String id) {
        return dir.resolve(id + ".json");
    }
}
