package dev.nestlet.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** nestletctl inspect ID */
@Command(name = "inspect", description = "Show everything nestletd knows about one container.")
final class InspectCommand extends Nestletctl.Sub {
    @Parameters(index = "0", paramLabel = "ID", description = "container id")
    String id;

    @Override
    public Integer call() {
        return parent.run(
                "inspect",
                req -> req.put("id", id),
                r -> {
                    // Text output is the same document: nested data reads best as indented JSON.
                    try {
                        System.out.println(
                                parent.client()
                                        .json()
                                        .writerWithDefaultPrettyPrinter()
                                        .writeValueAsString(r));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }
}
