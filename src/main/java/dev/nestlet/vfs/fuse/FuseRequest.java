package dev.nestlet.vfs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One request read from /dev/fuse: the fuse_in_header fields nestlet uses and the body after it,
 * decoded from the reader's buffer (native byte order, which is the kernel's).
 */
public record FuseRequest(
        int opcode, long unique, long nodeid, int uid, int gid, int pid, ByteBuffer body) {

    static FuseRequest decode(ByteBuffer buf, int length) {
        if (length < FuseProtocol.IN_HEADER) {
            throw new IllegalArgumentException(
                    "FUSE request of " + length + " bytes is shorter than its header");
        }
        ByteBuffer b = buf.duplicate().order(ByteOrder.nativeOrder());
        int len = b.getInt(0);
        if (len != length) {
            throw new IllegalArgumentException(
                    "FUSE request says " + len + " bytes, read " + length);
        }
        ByteBuffer body =
                b.position(FuseProtocol.IN_HEADER)
                        .limit(length)
                        .slice()
                        .order(ByteOrder.nativeOrder());
        return new FuseRequest(
                b.getInt(4),
                b.getLong(8),
                b.getLong(16),
                b.getInt(24),
                b.getInt(28),
                b.getInt(32),
                body);
    }

    /**
     * This request with its body copied out of the reader's buffer, which the next read reuses: for
     * a request that waits in a queue.
     */
    FuseRequest detached() {
        ByteBuffer copy = ByteBuffer.allocate(body.limit()).order(ByteOrder.nativeOrder());
        copy.put(0, body, 0, body.limit());
        return new FuseRequest(opcode, unique, nodeid, uid, gid, pid, copy);
    }

    /** A NUL-terminated name at the start of the body (LOOKUP). */
    public String name() {
        int end = 0;
        while (end < body.limit() && body.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end];
        body.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public int bodyInt(int offset) {
        return body.getInt(offset);
    }

    public long bodyLong(int offset) {
        return body.getLong(offset);
    }
}
