package dev.nestlet.cli;

import picocli.CommandLine.Command;

/** nestletctl status */
@Command(name = "status", description = "Is nestletd up, and how big is it.")
final class StatusCommand extends Nestletctl.Sub {
    @Override
    public Integer call() {
        return parent.run(
                "status",
                req -> {},
                r -> {
                    System.out.printf(
                            "nestletd %s (protocol %d), pid %d, up %ds%n",
                            r.path("version").asText(),
                            r.path("protocol").asInt(),
                            r.path("pid").asLong(),
                            r.path("uptimeSeconds").asLong());
                    System.out.printf(
                            "socket     %s (%s)%n",
                            r.path("socket").asText(), r.path("clients").asText());
                    System.out.printf("state dir  %s%n", r.path("stateDir").asText());
                    System.out.printf("containers %d%n", r.path("containers").asInt());
                    System.out.printf(
                            "memory     %d kB RSS, %d threads%n",
                            r.path("rssKb").asLong(), r.path("threads").asInt());
                });
    }
}
