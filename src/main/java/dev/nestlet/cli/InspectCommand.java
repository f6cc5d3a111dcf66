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
        return parent.run("inspect", req -> req.put("id", id));
    }
}
