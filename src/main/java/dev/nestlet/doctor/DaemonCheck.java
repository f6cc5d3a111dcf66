package dev.nestlet.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        List<String> lost = new ArrayList<>();
        s.path("seccompListenersLost").forEach(id -> lost.add(id.asText()));
        if (!lost.isEmpty()) {
            return CheckResult.warn(
                    name(),
                    "no seccomp listener is served for running container(s) "
                            + String.join(", ", lost)
                            + ": mount, umount2, move_mount and setns inside fail with ENOSYS",
                    "restart those containers (a listener is made once, when the container"
                            + " starts); keep listeners across restarts with --fd-store keeper or"
                            + " systemd 246+");
        }
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
