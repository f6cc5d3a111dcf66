package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.TestDir;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** nestlet-hook when nestletd is not there, or there but silent: a quick, clear failure. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HookDaemonDownIT {
    private static final String STATE =
            "{\"ociVersion\":\"1.0.2\",\"id\":\"x\",\"status\":\"created\",\"pid\":1,"
                    + "\"bundle\":\"/nonexistent\",\"annotations\":{\"io.nestlet.mode\":\"system\"}}";
    private TestDir dir;

    @BeforeAll
    void setUp() throws Exception {
        dir = new TestDir("down");
    }

    @AfterAll
    void tearDown() {
        dir.close();
    }

    private Cmd.Result hook(Path socket, String timeout) {
        return Cmd.of(Dist.bin("nestlet-hook").toString(), "--timeout", timeout, "createRuntime")
                .env(java.util.Map.of("NESTLET_SOCKET", socket.toString()))
                .stdin(STATE)
                .timeout(30)
                .run();
    }

    @Test
    void noSocketFile() {
        Path socket = dir.resolve("missing.sock");
        long t0 = System.nanoTime();
        Cmd.Result r = hook(socket, "10");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("nestletd is not reachable at " + socket), r.err());
        assertTrue(ms < 5000, "fails at once, not after its timeout: " + ms + " ms");
    }

    @Test
    void staleSocketFileOfADeadDaemon() throws Exception {
        Path socket = dir.resolve("stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket), "the socket file stays after its server closed");
        Cmd.Result r = hook(socket, "10");
        assertEquals(1, r.exit());
        assertTrue(
                r.err().contains("nestletd is not reachable at " + socket)
                        && r.err().contains("refused"),
                r.err());
    }

    @Test
    void daemonThatNeverAnswersHitsTheTimeout() throws Exception {
        Path socket = dir.resolve("silent.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor =
                    new Thread(
                            () -> {
                                try (SocketChannel c = s.accept()) {
                                    Thread.sleep(20_000); // hold the connection, say nothing
                                } catch (Exception e) {
                                    // closed at the end of the test
                                }
                            });
            acceptor.setDaemon(true);
            acceptor.start();
            long t0 = System.nanoTime();
            Cmd.Result r = hook(socket, "1");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, r.exit());
            assertTrue(r.err().contains("did not answer in time"), r.err());
            assertTrue(ms >= 900 && ms < 5000, "gives up after its 1 s timeout: " + ms + " ms");
            acceptor.interrupt();
        }
    }
}
