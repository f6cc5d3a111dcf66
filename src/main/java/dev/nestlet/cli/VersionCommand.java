package dev.nestlet.cli;

import picocli.CommandLine.Command;

/** nestletctl version */
@Command(name = "version", description = "Versions of nestletctl and of the running nestletd.")
final class VersionCommand extends Nestletctl.Sub {
    @Override
    public Integer call() {
        return parent.run(
                "version",
                req -> {},
                r -> {
                    System.out.println("nestletctl " + dev.nestlet.api.Version.VALUE);
                    System.out.println(
                            "nestletd   "
                                    + r.path("version").asText()
                                    + " (protocol "
                                    + r.path("protocol").asInt()
                                    + ")");
                });
    }
}
