package dev.nestlet.daemon;

import dev.nestlet.sys.SocketCalls;
import dev.nestlet.sys.SysException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * sd_notify for Type=notify units: readiness, {@code STATUS=} lines and watchdog pings; a no-op
 * outside systemd (no {@code NOTIFY_SOCKET}).
 */
final class SystemdNotify {
    private static final Logger LOG = Logger.getLogger(SystemdNotify.class.getName());

    private final String socket;
    private final Map<String, String> env;
    private final long pid;

    SystemdNotify(Map<String, String> env, long pid) {
        String s = env.get("NOTIFY_SOCKET");
        this.socket = s == null || s.isEmpty() ? null : s;
        this.env = env;
        this.pid = pid;
    }

    static SystemdNotify ofThisProcess() {
        return new SystemdNotify(System.getenv(), ProcessHandle.current().pid());
    }

    void status(String text) {
        send("STATUS=" + text);
    }

    /** READY=1 with the status the service is in once ready. */
    void ready(String status) {
        send("READY=1\nSTATUS=" + status + "\nMAINPID=" + pid);
    }

    /**
     * This process is the service's main process from now on (it took over from the one systemd
     * started, which exits): sent before that one exits, so systemd does not see the service end.
     */
    void mainPid() {
        send("MAINPID=" + pid);
    }

    /** The service is stopping: systemd shows "deactivating" instead of a failed ping. */
    void stopping() {
        send("STOPPING=1\nSTATUS=stopping; containers keep running");
    }

    void watchdog() {
        send("WATCHDOG=1");
    }

    /**
     * How often to ping: half of {@code WATCHDOG_USEC}, as sd_watchdog_enabled(3) advises, so that
     * one late ping is not yet fatal; empty when systemd expects no pings from this process (no
     * WatchdogSec=, or {@code WATCHDOG_PID} names another process).
     */
    Optional<Duration> watchdogInterval() {
        String usec = env.get("WATCHDOG_USEC");
        String forPid = env.get("WATCHDOG_PID");
        if (socket == null || usec == null || (forPid != null && !forPid.equals(pid + ""))) {
            return Optional.empty();
        }
        try {
            long us = Long.parseLong(usec);
            return us > 0 ? Optional.of(Duration.ofNanos(us * 500)) : Optional.empty();
        } catch (NumberFormatException e) {
            LOG.warning("ignoring WATCHDOG_USEC=" + usec + ": not a number");
            return Optional.empty();
        }
    }

    private void send(String message) {
        if (socket == null) {
            return;
        }
        try {
            SocketCalls.sendDatagram(socket, message.getBytes(StandardCharsets.UTF_8));
        } catch (SysException e) {
            LOG.warning("cannot notify systemd: " + e.getMessage());
        }
    }
}
