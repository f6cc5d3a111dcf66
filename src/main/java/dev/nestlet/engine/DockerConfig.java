package dev.nestlet.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.json.Json;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Docker's daemon.json: {@code "runtimes": {"nestlet": {"path": PATH}}} (then {@code docker run
 * --runtime nestlet}). The file is read with a streaming parser for the offsets of its top-level
 * object and of {@code runtimes}; nestlet's member is inserted first in the object, indented like
 * the file's own members, so nothing else of the text moves.
 */
final class DockerConfig implements EngineConfig {
    private static final JsonFactory FACTORY = new JsonFactory();

    @Override
    public Plan plan(NodeFiles files, String config, Layout layout) throws IOException {
        Optional<String> before = files.read(config);
        String text = before.orElse("");
        String path = Json.mapper().writeValueAsString(layout.runtime());
        if (text.isBlank()) {
            String fresh =
                    "{\n    \"runtimes\": {\n        \"nestlet\": {\n            \"path\": "
                            + path
                            + "\n        }\n    }\n}\n";
            return new Plan(
                    List.of(new FileChange(config, before, List.of(Insertion.append(text, fresh)))),
                    List.of());
        }
        Offsets at = offsets(config, text);
        if (at.nestlet) {
            return Plan.registered(config);
        }
        String unit = indentUnit(text, at.firstMember);
        String nl = unit == null ? "" : "\n";
        String sp = unit == null ? " " : "";
        String i1 = unit == null ? "" : unit;
        String i2 = i1.repeat(2);
        String i3 = i1.repeat(3);
        String nestlet = "\"nestlet\": {" + nl + i3 + sp + "\"path\": " + path + sp + nl + i2 + "}";
        Insertion edit;
        if (at.runtimes >= 0) {
            String member = nl + i2 + nestlet;
            edit = new Insertion(at.runtimes + 1, member + (at.runtimesEmpty ? nl + i1 : ","));
        } else {
            String member =
                    nl + i1 + "\"runtimes\": {" + nl + i2 + sp + nestlet + sp + nl + i1 + "}";
            edit = new Insertion(at.top + 1, member + (at.firstMember < 0 ? nl : ","));
        }
        FileChange change = new FileChange(config, before, List.of(edit));
        check(config, text, change.after());
        return new Plan(List.of(change), List.of());
    }

    /** Where the objects start (-1: absent) and what they hold. */
    private static final class Offsets {
        int top = -1;
        int firstMember = -1;
        int runtimes = -1;
        boolean runtimesEmpty = true;
        boolean nestlet;
    }

    private static Offsets offsets(String config, String text) throws IOException {
        Offsets at = new Offsets();
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(config + ": not a JSON object; nothing changed");
            }
            at.top = (int) p.currentTokenLocation().getCharOffset();
            int depth = 1;
            boolean inRuntimes = false;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME && depth == 1) {
                    if (at.firstMember < 0) {
                        at.firstMember = (int) p.currentTokenLocation().getCharOffset();
                    }
                    inRuntimes = p.currentName().equals("runtimes");
                } else if (t == JsonToken.FIELD_NAME && depth == 2 && inRuntimes) {
                    at.runtimesEmpty = false;
                    at.nestlet |= p.currentName().equals("nestlet");
                }
                if (t.isStructStart()) {
                    if (depth == 1 && inRuntimes && t == JsonToken.START_OBJECT) {
                        at.runtimes = (int) p.currentTokenLocation().getCharOffset();
                    }
                    depth++;
                } else if (t.isStructEnd()) {
                    depth--;
                }
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    config + ": not valid JSON (" + e.getOriginalMessage() + "); nothing changed",
                    e);
        }
        return at;
    }

    /** The indentation of the first top-level member; null when it shares the line of the brace. */
    private static String indentUnit(String text, int firstMember) {
        if (firstMember < 0) {
            return "    ";
        }
        int lineStart = text.lastIndexOf('\n', firstMember - 1) + 1;
        String indent = text.substring(lineStart, firstMember);
        return lineStart > 0 && indent.isBlank() && !indent.isEmpty() ? indent : null;
    }

    /** The edited document must be the original plus runtimes.nestlet, nothing else. */
    private static void check(String config, String original, String edited) throws IOException {
        JsonNode before = Json.mapper().readTree(original);
        ObjectNode after = (ObjectNode) Json.mapper().readTree(edited);
        ObjectNode runtimes = (ObjectNode) after.get("runtimes");
        runtimes.remove("nestlet");
        if (!before.has("runtimes") && runtimes.isEmpty()) {
            after.remove("runtimes");
        }
        if (!before.equals(after)) {
            throw new IllegalArgumentException(
                    config + ": cannot insert nestlet's runtime safely; nothing changed");
        }
    }
}
