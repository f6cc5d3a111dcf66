package dev.nestlet.cli;

import picocli.CommandLine.Command;

/** nestletctl status */
@Command(name = "status", description = "Is nestletd up, and how big is it.")
final class StatusCommand extends Nestletctl.Sub {
    @Override
    public Integer call() {
        return parent.run("status", req -> {});
    }
}
