package dev.nestlet.cli;

import dev.nestlet.api.Version;
import picocli.CommandLine.Command;

/** nestletctl version */
@Command(name = "version", description = "Versions of nestletctl and of the running nestletd.")
final class VersionCommand extends Nestletctl.Sub {
    @Override
    public Integer call() {
        // The client's own line; nestletd renders its own below it.
        return parent.run("version", req -> {}, "nestletctl " + Version.VALUE + "\n");
    }
}
