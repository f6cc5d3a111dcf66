package dev.nestlet.idmap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.fault.CrashPoint;
import dev.nestlet.host.AtomicFiles;
import dev.nestlet.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The allocator's log: one JSON line per allocation or release, appended before the range is used
 * and replayed at start-up. A line cut short by a crash is ignored (it was never acknowledged);
 * when the log grows it is rewritten as a snapshot of the live allocations (temporary file +
 * rename).
 */
final class Journal implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Journal.class.getName());
    private static final ObjectMapper JSON = Json.mapper();

    private final Path file;
    private FileChannel out;
    private int lines;

    Journal(Path file) {
        this.file = file;
    }

    /** Replays the log; returns the live allocations by container id. */
    Map<String, Allocation> replay() throws IOException {
        Map<String, Allocation> live = new LinkedHashMap<>();
        if (Files.exists(file)) {
            for (String line : completeLines()) {
                lines++;
                JsonNode e;
                try {
                    e = JSON.readTree(line);
                } catch (IOException bad) {
                    LOG.warning("ignoring a torn line in " + file + ": " + line);
                    continue;
                }
                String id = e.path("id").asText();
                if ("alloc".equals(e.path("op").asText())) {
                    live.put(
                            id,
                            new Allocation(
                                    id,
                                    new IdRange(
                                            e.path("uid").asLong(),
                                            e.path("gid").asLong(),
                                            e.path("size").asLong()),
                                    e.path("adopted").asBoolean()));
                } else if ("free".equals(e.path("op").asText())) {
                    live.remove(id);
                }
            }
        }
        open();
        return live;
    }

    /**
     * The lines that end with a newline. A last line without one was cut short by a crash, never
     * acknowledged: it is cut off the file, or the next record appended would run on from it and
     * both would be lost at the next replay.
     */
    private List<String> completeLines() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end < bytes.length) {
            LOG.warning(
                    "cutting a torn last line off "
                            + file
                            + ": "
                            + new String(bytes, end, bytes.length - end, StandardCharsets.UTF_8));
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(end);
            }
        }
        // A record is one JSON object: a line break inside it is escaped, never raw.
        return new String(bytes, 0, end, StandardCharsets.UTF_8).lines().toList();
    }

    private void open() throws IOException {
        out =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
    }

    void allocated(Allocation a) throws IOException {
        append(allocLine(a));
    }

    private static ObjectNode allocLine(Allocation a) {
        return JSON.createObjectNode()
                .put("op", "alloc")
                .put("id", a.id())
                .put("uid", a.range().uidBase())
                .put("gid", a.range().gidBase())
                .put("size", a.range().size())
                .put("adopted", a.adopted());
    }

    void freed(String id) throws IOException {
        append(JSON.createObjectNode().put("op", "free").put("id", id));
    }

    /**
     * One write(2) per record: a killed process leaves the whole line in the page cache or none of
     * it. A crash of the machine takes every container with it, so no fsync: the next start finds
     * no live container to protect.
     */
    private void append(ObjectNode e) throws IOException {
        byte[] line = (JSON.writeValueAsString(e) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.wrap(line);
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        CrashPoint.ID_JOURNAL_APPENDED.reached();
        lines++;
    }

    /** Rewrites the log as the given live allocations when it has grown well past them. */
    void compactIfLarge(Collection<Allocation> live) throws IOException {
        if (lines < 4 * live.size() + 256) {
            return;
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder b = new StringBuilder();
        for (Allocation a : live) {
            b.append(JSON.writeValueAsString(allocLine(a))).append('\n');
        }
        AtomicFiles.replace(file, tmp, b.toString().getBytes(StandardCharsets.UTF_8));
        out.close();
        open();
        lines = live.size();
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }
}
