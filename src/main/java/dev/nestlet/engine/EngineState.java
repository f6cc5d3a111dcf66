package dev.nestlet.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.nestlet.host.AtomicFiles;
import dev.nestlet.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The install record and the original files of one engine, under the node's /var/lib/nestlet. */
final class EngineState {
    static final String DIR = "/var/lib/nestlet/engines";

    private final Path dir;

    EngineState(NodeFiles files, Engine engine) {
        this.dir = files.host(DIR + "/" + engine.id());
    }

    Path dir() {
        return dir;
    }

    Optional<InstallRecord> record() throws IOException {
        Optional<String> text = NodeFiles.readHost(dir.resolve("record.json"));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.mapper().readValue(text.get(), InstallRecord.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    dir.resolve("record.json")
                            + " is damaged ("
                            + e.getOriginalMessage()
                            + "); the originals are beside it",
                    e);
        }
    }

    /** The original text of entry {@code index} (empty: the file did not exist). */
    Optional<String> original(InstallRecord record, int index) throws IOException {
        if (!record.files().get(index).existed()) {
            return Optional.empty();
        }
        Optional<String> text = NodeFiles.readHost(dir.resolve(index + ".orig"));
        if (text.isEmpty()) {
            throw new IllegalArgumentException(
                    dir.resolve(index + ".orig") + " is missing: cannot restore the original");
        }
        return text;
    }

    /** Saves the record and the originals (entry N's text in N.orig). */
    void save(InstallRecord record, java.util.List<Optional<String>> originals) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < originals.size(); i++) {
            Path orig = dir.resolve(i + ".orig");
            if (originals.get(i).isPresent()) {
                AtomicFiles.replace(
                        orig,
                        dir.resolve(i + ".orig.tmp"),
                        originals.get(i).get().getBytes(StandardCharsets.ISO_8859_1));
            } else {
                Files.deleteIfExists(orig);
            }
        }
        AtomicFiles.replace(
                dir.resolve("record.json"),
                dir.resolve("record.json.tmp"),
                Json.pretty(record).getBytes(StandardCharsets.UTF_8));
    }

    /** Forgets the install: the record and the originals. */
    void remove(InstallRecord record) throws IOException {
        for (int i = 0; i < record.files().size(); i++) {
            Files.deleteIfExists(dir.resolve(i + ".orig"));
        }
        Files.deleteIfExists(dir.resolve("record.json"));
        Files.deleteIfExists(dir);
        try (var left = Files.list(dir.getParent())) {
            if (left.findAny().isEmpty()) {
                Files.delete(dir.getParent());
            }
        }
    }
}
