package dev.nestlet.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.SocketCalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime's message read by peeking: it stays on the connection until consumed, so a connection
 * that outlived the nestletd that peeked it gives the listener fd again.
 */
class PeekedMessageTest {
    private static final String STATE =
            "{\"ociVersion\":\"0.2.0\",\"fds\":[\"seccompFd\"],\"pid\":42,\"metadata\":\"\","
                    + "\"state\":{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\","
                    + "\"pid\":42,\"bundle\":\"/b\"}}";

    @TempDir Path dir;
    private Fd server;
    private Fd runtime;
    private Fd conn;
    private Fd passed;

    @BeforeEach
    void connect() throws IOException {
        String path = dir.resolve("s").toString();
        server = SocketCalls.listenStream(path, 1);
        runtime = SocketCalls.connectStream(path);
        conn = SocketCalls.accept(server);
        // Any fd stands for the listener: what matters is that the same file comes out.
        passed = SocketCalls.connectStream(path);
        SocketCalls.accept(server).close();
    }

    @AfterEach
    void close() {
        Stream.of(passed, conn, runtime, server).forEach(Fd::close);
    }

    @Test
    void thePeekedMessageStaysQueuedUntilConsumed() throws IOException {
        byte[] state = STATE.getBytes(StandardCharsets.UTF_8);
        SocketCalls.sendWithFds(runtime, state, passed.get());

        PeekedMessage first = PeekedMessage.peek(conn);
        PeekedMessage again = PeekedMessage.peek(conn);
        try (Fd a = first.listener();
                Fd b = again.listener()) {
            assertEquals("c1", first.state().containerId());
            assertEquals(42, first.state().pid());
            assertEquals(state.length, first.length());
            assertEquals(first.state(), again.state(), "a second peek reads it from the start");
            assertEquals(target(passed), target(a));
            assertEquals(target(passed), target(b), "each peek gives a copy of the fd");
        }
        first.consume(conn);
        assertTrue(SocketCalls.peekWithFds(conn, 16, 1).isEmpty(), "nothing is left queued");
    }

    @Test
    void aMessageSentInPiecesIsPeekedWhole() throws IOException {
        int cut = 30;
        byte[] state = STATE.getBytes(StandardCharsets.UTF_8);
        // Two sendmsg calls: two buffers on the socket, the fd with the first; a peek stops
        // after a buffer that carries fds, so the rest takes a second peek from the offset.
        SocketCalls.sendWithFds(runtime, Arrays.copyOf(state, cut), passed.get());
        SocketCalls.sendWithFds(runtime, Arrays.copyOfRange(state, cut, state.length));
        PeekedMessage m = PeekedMessage.peek(conn);
        try (Fd fd = m.listener()) {
            assertEquals(state.length, m.length());
            assertEquals(target(passed), target(fd));
        }
        m.consume(conn);
        assertTrue(SocketCalls.peekWithFds(conn, 16, 1).isEmpty(), "nothing is left queued");
    }

    @Test
    void aMessageCutShortIsRefusedWithoutLeakingItsFd() throws IOException {
        SocketCalls.sendWithFds(
                runtime, "{\"fds\":[\"seccompFd\"".getBytes(StandardCharsets.UTF_8), passed.get());
        runtime.close();
        long before = openFds();
        assertThrows(IllegalArgumentException.class, () -> PeekedMessage.peek(conn));
        assertEquals(before, openFds(), "the peeked copy of the fd is closed");
    }

    @Test
    void aMessageWithoutItsFdIsRefused() {
        SocketCalls.sendWithFds(runtime, STATE.getBytes(StandardCharsets.UTF_8));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PeekedMessage.peek(conn));
        assertTrue(e.getMessage().contains("0 fds sent"), e.getMessage());
    }

    private static String target(Fd fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd.get())).toString();
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
