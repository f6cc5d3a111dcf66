package dev.nestlet.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.host.AtomicFiles;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
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
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                try {
                    out.add(json.readValue(p.toFile(), ContainerRecord.class));
                } catch (IOException e) {
                    Path aside = p.resolveSibling(p.getFileName() + ".corrupt");
                    LOG.warning(
                            "unreadable state file "
                                    + p
                                    + " moved to "
                                    + aside
                                    + ": "
                                    + e.getMessage());
                    Files.move(p, aside, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return out;
    }

    private Path file(String id) {
        return dir.resolve(id + ".json");
    }
}
