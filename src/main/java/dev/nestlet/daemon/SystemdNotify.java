package dev.nestlet.daemon;

import dev.nestlet.sys.SocketCalls;
import dev.nestlet.sys.SysException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/** sd_notify(READY=1) for Type=notify units; a no-op outside systemd. */
final class SystemdNotify {
    private static final Logger LOG = Logger.getLogger(SystemdNotify.class.getName());

    private SystemdNotify() {}

    static void ready() {
        String socket = System.getenv("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return;
        }
        try {
            SocketCalls.sendDatagram(
                    socket,
                    ("READY=1\nMAINPID=" + ProcessHandle.current().pid())
                            .getBytes(StandardCharsets.UTF_8));
        } catch (SysException e) {
            LOG.warning("cannot notify systemd: " + e.getMessage());
        }
    }
}
