package dev.nestlet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;

/** nestletctl ps */
@Command(name = "ps", description = "List the system containers nestletd looks after.")
final class PsCommand extends Nestletctl.Sub {
    private static final String ROW = "%-24s %-8s %-6s %-9s %-6s %-10s %s%n";

    @Override
    public Integer call() {
        return parent.run(
                "ps",
                req -> {},
                rows -> {
                    System.out.printf(
                            ROW, "ID", "PID", "RUNTIME", "STAGE", "ALIVE", "ROOT UID", "CREATED");
                    // Containers of no pod first, then one group per Kubernetes pod, its sandbox
                    // first.
                    Map<String, List<JsonNode>> pods = new TreeMap<>();
                    for (JsonNode r : rows) {
                        if (r.path("pod").isTextual()) {
                            pods.computeIfAbsent(
                                            r.path("pod").asText()
                                                    + " "
                                                    + r.path("sandboxId").asText(),
                                            k -> new ArrayList<>())
                                    .add(r);
                        } else {
                            print(r, "");
                        }
                    }
                    pods.forEach(
                            (key, members) -> {
                                String[] k = key.split(" ", 2);
                                System.out.println("pod " + k[0] + " (sandbox " + k[1] + ")");
                                members.sort(
                                        Comparator.comparing(r -> !r.path("sandbox").asBoolean()));
                                members.forEach(r -> print(r, "  "));
                            });
                });
    }

    private static void print(JsonNode r, String indent) {
        System.out.printf(
                ROW,
                indent
                        + r.path("id").asText()
                        + (r.path("sandbox").asBoolean() ? " (sandbox)" : ""),
                r.path("pid").asInt(),
                r.path("runtime").asText(),
                r.path("stage").asText(),
                r.path("alive").asBoolean() ? "yes" : "no",
                r.path("rootUid").asInt(),
                r.path("created").asText());
    }
}
