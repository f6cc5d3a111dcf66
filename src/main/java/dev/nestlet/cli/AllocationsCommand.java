package dev.nestlet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** nestletctl allocations */
@Command(
        name = "allocations",
        description = "Id ranges in use by system containers, and free ones.")
final class AllocationsCommand extends Nestletctl.Sub {
    @Override
    public Integer call() {
        return parent.run(
                "allocations",
                req -> {},
                r -> {
                    System.out.println(
                            "pool: "
                                    + r.path("pool").asText()
                                    + " (ranges of "
                                    + r.path("rangeSize").asLong()
                                    + ")");
                    System.out.printf(
                            "%-24s %-12s %-12s %-8s %s%n",
                            "CONTAINER", "UID BASE", "GID BASE", "SIZE", "FROM");
                    for (JsonNode a : r.path("inUse")) {
                        JsonNode range = a.path("range");
                        System.out.printf(
                                "%-24s %-12d %-12d %-8d %s%n",
                                a.path("id").asText(),
                                range.path("uidBase").asLong(),
                                range.path("gidBase").asLong(),
                                range.path("size").asLong(),
                                a.path("adopted").asBoolean() ? "engine" : "pool");
                    }
                    JsonNode free = r.path("free");
                    System.out.println(
                            "free: "
                                    + free.size()
                                    + " range(s)"
                                    + (free.size() > 0
                                            ? ", first at uid "
                                                    + free.get(0).path("uidBase").asLong()
                                            : ""));
                });
    }
}
