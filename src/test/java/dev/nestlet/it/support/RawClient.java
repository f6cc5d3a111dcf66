package dev.nestlet.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes raw bytes to the daemon's socket and reads one line back: for malformed and hostile
 * requests.
 */
public final class RawClient {
    private final Path socket;

    public RawClient(Path socket) {
        this.socket = socket;
    }

    public String exchange(String raw) throws IOException {
        return exchange(raw.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends {@code raw}, then reads until a newline or EOF. A write the daemon refuses mid-way is
     * not an error.
     */
    public String exchange(byte[] raw) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer buf = ByteBuffer.wrap(raw);
            try {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            } catch (IOException e) {
                // The daemon may answer and close before reading an oversized request to the end.
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (true) {
                in.clear();
                int n;
                try {
                    n = ch.read(in);
                } catch (IOException e) {
                    break;
                }
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (in.get(i) == '\n') {
                        return out.toString(StandardCharsets.UTF_8);
                    }
                    out.write(in.get(i));
                }
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
