package dev.nestlet.cli;

import picocli.CommandLine.Command;

/** nestletctl metrics */
@Command(name = "metrics", description = "nestletd's metrics in the Prometheus text format.")
final class MetricsCommand extends Nestletctl.Sub {
    @Override
    public Integer call() {
        return parent.run("metrics", req -> {});
    }
}
