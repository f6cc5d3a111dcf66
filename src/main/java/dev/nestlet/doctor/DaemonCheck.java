package dev.nestlet.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;

/** nestletd's socket is there and its status operation answers. */
final class DaemonCheck implements Check {
    private final Path socket;
    private final DaemonProbe probe;

    DaemonCheck(Path socket, DaemonProbe probe) {
        this.socket = socket;
        this.probe = probe;
    }

    @Override
    public String name() {
        return "nestletd";
    }

    @Override
    public CheckResult run() throws Exception {
        if (!Files.exists(socket)) {
            return CheckResult.fail(name(), "no socket at " + socket, fix());
        }
        JsonNode s = probe.status();
        return CheckResult.ok(
                name(),
                "nestletd "
                        + s.path("version").asText()
                        + " (protocol "
                        + s.path("protocol").asInt()
                        + "), pid "
                        + s.path("pid").asLong()
                        + ", "
                        + s.path("containers").asInt()
                        + " containers, at "
                        + socket);
    }

    @Override
    public String fix() {
        return "start nestletd (systemctl start nestletd, or nestletd --socket "
                + socket
                + "); its log says why it stopped (journalctl -u nestletd)";
    }
}
