package dev.nestlet.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
                    for (JsonNode r : rows) {
                        System.out.printf(
                                ROW,
                                r.path("id").asText(),
                                r.path("pid").asInt(),
                                r.path("runtime").asText(),
                                r.path("stage").asText(),
                                r.path("alive").asBoolean() ? "yes" : "no",
                                r.path("rootUid").asInt(),
                                r.path("created").asText());
                    }
                });
    }
}
