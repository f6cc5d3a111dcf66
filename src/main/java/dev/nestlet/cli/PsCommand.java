package dev.nestlet.cli;

import picocli.CommandLine.Command;

/** nestletctl ps */
@Command(name = "ps", description = "List the system containers nestletd looks after.")
final class PsCommand extends Nestletctl.Sub {
    @Override
    public Integer call() {
        return parent.run("ps", req -> {});
    }
}
