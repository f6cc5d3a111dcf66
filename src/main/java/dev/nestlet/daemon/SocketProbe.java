package dev.nestlet.daemon;

import dev.nestlet.api.Protocol;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Whether nestletd's own socket answers: a "version" request sent as any client sends it, which
 * goes through the accepting event loop, the request threads and the dispatcher, answered within a
 * deadline. What the watchdog pings on: a daemon whose socket hangs is not healthy even if its
 * process lives.
 */
final class SocketProbe {
    private static final byte[] REQUEST =
            ("{\"v\":" + Protocol.VERSION + ",\"op\":\"version\"}\n")
                    .getBytes(StandardCharsets.UTF_8);

    private final Path socket;
    private final Duration deadline;

    SocketProbe(Path socket, Duration deadline) {
        this.socket = socket;
        this.deadline = deadline;
    }

    /** Empty when a whole answer line came in time; else why not. */
    String failure() {
        long end = System.nanoTime() + deadline.toNanos();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector sel = Selector.open()) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(REQUEST);
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ);
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (true) {
                long left = (end - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return "no answer on " + socket + " within " + deadline.toMillis() + " ms";
                }
                sel.select(left);
                sel.selectedKeys().clear();
                in.clear();
                int n = ch.read(in);
                if (n < 0) {
                    return socket + " hung up without an answer";
                }
                for (int i = 0; i < n; i++) {
                    if (in.get(i) == '\n') {
                        return "";
                    }
                }
            }
        } catch (IOException e) {
            return "cannot ask " + socket + ": " + e.getMessage();
        }
    }
}
