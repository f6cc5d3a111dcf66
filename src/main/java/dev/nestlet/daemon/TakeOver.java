package dev.nestlet.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.api.ApiServer;
import dev.nestlet.api.Dispatcher;
import dev.nestlet.api.PeerPolicy;
import dev.nestlet.api.Protocol;
import dev.nestlet.json.Json;
import dev.nestlet.ops.HandOverOperation;
import dev.nestlet.ops.VersionOperation;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;

/**
 * The new side of a planned restart ({@code nestletd --take-over}): once this nestletd has done its
 * slow start-up, it asks the one serving the socket to hand over (op "handover"), then takes the
 * same kept fds, state and socket. Also the old side's wait: it exits once the new one serves.
 */
final class TakeOver {
    private static final Logger LOG = Logger.getLogger(TakeOver.class.getName());

    private TakeOver() {}

    /**
     * Asks the nestletd on {@code socket} to move this one's socket ({@code beside}) over the path
     * and stop serving; returns its pid and serving lock's fd once it has, or pid 0 when no
     * nestletd answers there (nothing to take over: this one starts as after a stop).
     *
     * @throws IOException when one answers but refuses or fails to hand over
     */
    static HandOverOperation.Result ask(Path socket, Path beside, ObjectMapper json)
            throws IOException {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            LOG.info("--take-over: no nestletd answers on " + socket + "; starting without one");
            return new HandOverOperation.Result(0, -1);
        }
        try (ch) {
            ObjectNode request =
                    json.createObjectNode()
                            .put("v", Protocol.VERSION)
                            .put("op", "handover")
                            .put("socket", beside.toString());
            ByteBuffer out =
                    ByteBuffer.wrap(
                            (json.writeValueAsString(request) + "\n")
                                    .getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (true) {
                if (ch.read(in) < 0 || !in.hasRemaining()) {
                    throw new IOException(
                            "the nestletd on " + socket + " hung up during hand-over");
                }
                int end = newline(in);
                if (end >= 0) {
                    JsonNode answer =
                            json.readTree(new String(in.array(), 0, end, StandardCharsets.UTF_8));
                    if (!answer.path("ok").asBoolean()) {
                        throw new IOException(
                                "the nestletd on " + socket + " refused to hand over: " + answer);
                    }
                    JsonNode result = answer.path("result");
                    // An older nestletd names no lock fd: it held none.
                    return new HandOverOperation.Result(
                            result.path("pid").asLong(), result.path("lockFd").asInt(-1));
                }
            }
        }
    }

    /**
     * Runs the socket's request path once on a private socket of this process (netty's classes and
     * the dispatcher loaded and run before the hand-over instead of after it); touches nothing the
     * serving nestletd uses.
     */
    static void warmUp(Path stateDir) throws IOException, InterruptedException {
        Path socket = stateDir.resolve("run/take-over-" + ProcessHandle.current().pid() + ".sock");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        ApiServer server =
                new ApiServer(
                        socket,
                        new Dispatcher(Json.mapper()).register(new VersionOperation()),
                        new PeerPolicy(OptionalInt.empty()),
                        executor,
                        new ApiServer.Limits(4096, 5000, 5000));
        try {
            server.start();
            String failure = new SocketProbe(socket, Duration.ofSeconds(5)).failure();
            if (!failure.isEmpty()) {
                LOG.warning("take-over warm-up: " + failure);
            }
        } finally {
            server.close();
            executor.shutdownNow();
        }
    }

    private static int newline(ByteBuffer in) {
        for (int i = 0; i < in.position(); i++) {
            if (in.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * Waits (polling every few ms) until {@code pid} is gone or a zombie: its threads and fds are
     * then gone too, so what they took and never answered can be sent again.
     */
    static void awaitExit(long pid) throws InterruptedException {
        Path stat = Path.of("/proc/" + pid + "/stat");
        while (true) {
            String s;
            try {
                s = Files.readString(stat);
            } catch (IOException e) {
                return;
            }
            int paren = s.lastIndexOf(')');
            if (paren < 0 || paren + 2 >= s.length() || s.charAt(paren + 2) == 'Z') {
                return;
            }
            Thread.sleep(5);
        }
    }

    /**
     * The old side: waits until the socket answers a request again (the new nestletd, which holds
     * requests until it serves), up to {@code millis}.
     */
    static void awaitNewServer(Path socket, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            if (new SocketProbe(socket, Duration.ofNanos(end - System.nanoTime()))
                    .failure()
                    .isEmpty()) {
                return;
            }
            Thread.sleep(5);
        }
        LOG.warning("no nestletd serves " + socket + " " + millis + " ms after the hand-over");
    }
}
