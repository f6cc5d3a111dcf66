package dev.nestlet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.api.Protocol;
import dev.nestlet.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** A blocking client of the daemon's socket: one request, one response line. */
public final class ApiClient {
    private static final int MAX_RESPONSE = 16 << 20;

    /** The daemon answered with ok=false. */
    public static final class ErrorResponse extends Exception {
        private static final long serialVersionUID = 1L;
        private final String code;

        ErrorResponse(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /** The daemon could not be reached or hung up. */
    public static final class Unreachable extends IOException {
        private static final long serialVersionUID = 1L;

        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Path socket;
    private final ObjectMapper json = Json.mapper();

    public ApiClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    public ObjectNode newRequest(String op) {
        ObjectNode req = json.createObjectNode();
        req.put("v", Protocol.VERSION);
        req.put("op", op);
        return req;
    }

    /** Sends {@code request}; returns its "result", or throws with the daemon's error code. */
    public JsonNode call(ObjectNode request) throws IOException, ErrorResponse {
        JsonNode resp;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new Unreachable(
                        "nestletd is not reachable at " + socket + ": " + e.getMessage(), e);
            }
            byte[] out = json.writeValueAsBytes(request);
            ByteBuffer buf = ByteBuffer.allocate(out.length + 1).put(out).put((byte) '\n').flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            resp = json.readTree(readLine(ch));
        }
        if (resp.path("ok").asBoolean(false)) {
            return resp.path("result");
        }
        JsonNode err = resp.path("error");
        throw new ErrorResponse(err.path("code").asText("unknown"), err.path("message").asText(""));
    }

    private byte[] readLine(SocketChannel ch) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (line.size() < MAX_RESPONSE) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                throw new Unreachable(
                        "nestletd at " + socket + " closed the connection without an answer", null);
            }
            for (int i = 0; i < n; i++) {
                byte b = buf.get(i);
                if (b == '\n') {
                    return line.toByteArray();
                }
                line.write(b);
            }
        }
        throw new IOException("response from nestletd longer than " + MAX_RESPONSE + " bytes");
    }
}
