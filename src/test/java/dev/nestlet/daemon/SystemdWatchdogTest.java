package dev.nestlet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.NotifySocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sd_notify's watchdog: pings at half of WATCHDOG_USEC only while the socket answers a request,
 * with a STATUS= line of the containers served; none for another process's WATCHDOG_PID; a waiting
 * standby's pings, with no socket to ask.
 */
class SystemdWatchdogTest {
    private static final long PID = ProcessHandle.current().pid();

    @TempDir Path dir;

    @Test
    void intervalIsHalfOfWatchdogUsecAndOnlyForThisProcess() {
        Map<String, String> base = Map.of("NOTIFY_SOCKET", "/run/x", "WATCHDOG_USEC", "2000000");
        assertEquals(
                Optional.of(Duration.ofSeconds(1)),
                new SystemdNotify(base, PID).watchdogInterval());
        assertEquals(
                Optional.of(Duration.ofSeconds(1)),
                new SystemdNotify(
                                Map.of(
                                        "NOTIFY_SOCKET", "/run/x",
                                        "WATCHDOG_USEC", "2000000",
                                        "WATCHDOG_PID", PID + ""),
                                PID)
                        .watchdogInterval());
        assertEquals(
                Optional.empty(),
                new SystemdNotify(
                                Map.of(
                                        "NOTIFY_SOCKET", "/run/x",
                                        "WATCHDOG_USEC", "2000000",
                                        "WATCHDOG_PID", (PID + 1) + ""),
                                PID)
                        .watchdogInterval());
        assertEquals(
                Optional.empty(),
                new SystemdNotify(Map.of("WATCHDOG_USEC", "2000000"), PID).watchdogInterval());
        assertEquals(
                Optional.empty(),
                new SystemdNotify(Map.of("NOTIFY_SOCKET", "/run/x"), PID).watchdogInterval());
    }

    // Pings every 200 ms (WATCHDOG_USEC 400 ms) to notify while api answers within probeMs.
    private static SystemdWatchdog watchdog(
            NotifySocket notify, Path api, int probeMs, int containers) {
        return SystemdWatchdog.start(
                pingingEvery200Ms(notify),
                every -> new SocketProbe(api, Duration.ofMillis(probeMs)),
                () -> containers);
    }

    private static SystemdNotify pingingEvery200Ms(NotifySocket notify) {
        return new SystemdNotify(
                Map.of("NOTIFY_SOCKET", notify.path().toString(), "WATCHDOG_USEC", "400000"), PID);
    }

    @Test
    void pingsWhileTheSocketAnswers() throws Exception {
        Path api = dir.resolve("api.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                NotifySocket notify = new NotifySocket(dir.resolve("notify"))) {
            server.bind(UnixDomainSocketAddress.of(api));
            Thread answer = new Thread(() -> answerLines(server), "fake-nestletd");
            answer.setDaemon(true);
            answer.start();
            // a generous probe deadline: a busy machine must not make this test fail
            try (SystemdWatchdog w = watchdog(notify, api, 5000, 3)) {
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (notify.lines("WATCHDOG=1").size() < 3 && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
            }
            assertTrue(notify.lines("WATCHDOG=1").size() >= 3, notify.messages().toString());
            assertTrue(notify.lines("STATUS=").contains("STATUS=serving 3 containers"));
        }
    }

    @Test
    void noPingWhileTheSocketHangsOrIsGone() throws Exception {
        Path hung = dir.resolve("hung.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                NotifySocket notify = new NotifySocket(dir.resolve("notify"))) {
            // bound and listening, never accepting: connect and write succeed, no answer comes
            server.bind(UnixDomainSocketAddress.of(hung));
            for (Path socket : new Path[] {hung, dir.resolve("gone.sock")}) {
                try (SystemdWatchdog w = watchdog(notify, socket, 200, 0)) {
                    assertTrue(
                            notify.await(
                                            t ->
                                                    t.startsWith("STATUS=not answering: ")
                                                            && t.contains(
                                                                    socket.getFileName()
                                                                            .toString()),
                                            Duration.ofSeconds(5))
                                    .isPresent());
                    Thread.sleep(600);
                }
            }
            assertEquals(0, notify.lines("WATCHDOG=1").size(), notify.messages().toString());
        }
    }

    @Test
    void aStandbyPingsWithoutASocket() throws Exception {
        try (NotifySocket notify = new NotifySocket(dir.resolve("notify"))) {
            try (SystemdWatchdog w =
                    SystemdWatchdog.standingBy(pingingEvery200Ms(notify), "standby: waiting")) {
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (notify.lines("WATCHDOG=1").size() < 3 && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
            }
            assertTrue(notify.lines("WATCHDOG=1").size() >= 3, notify.messages().toString());
            assertTrue(notify.lines("STATUS=").contains("STATUS=standby: waiting"));
        }
    }

    // A stand-in for nestletd's socket: answers each request line with one line.
    private static void answerLines(ServerSocketChannel server) {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                ByteBuffer in = ByteBuffer.allocate(4096);
                while (c.read(in) > 0 && in.get(in.position() - 1) != '\n') {
                    // until the request's newline
                }
                c.write(ByteBuffer.wrap("{\"ok\":true}\n".getBytes(StandardCharsets.UTF_8)));
            } catch (java.io.IOException e) {
                return; // closed by the test
            }
        }
    }
}
