package dev.nestlet.cli;

import picocli.CommandLine.Command;

/** nestletctl allocations */
@Command(
        name = "allocations",
        description = "Id ranges in use by system containers, and free ones.")
final class AllocationsCommand extends Nestletctl.Sub {
    @Override
    public Integer call() {
        return parent.run("allocations", req -> {});
    }
}
