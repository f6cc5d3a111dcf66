package dev.nestlet.vfs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** FUSE requests laid out as the kernel writes them, for tests of the server and of the tree. */
public final class FuseFrames {
    private FuseFrames() {}

    /** A request as the kernel lays it out: fuse_in_header then the body. */
    public static ByteBuffer request(int opcode, long unique, long nodeid, byte[] body) {
        int len = FuseProtocol.IN_HEADER + body.length;
        ByteBuffer b =
                ByteBuffer.allocateDirect(Math.max(4096, len)).order(ByteOrder.nativeOrder());
        b.putInt(0, len)
                .putInt(4, opcode)
                .putLong(8, unique)
                .putLong(16, nodeid)
                .putInt(24, 1000)
                .putInt(28, 1001)
                .putInt(32, 4242)
                .putShort(36, (short) 0)
                .putShort(38, (short) 0);
        b.put(FuseProtocol.IN_HEADER, body);
        return b;
    }

    public static FuseRequest decode(int opcode, long unique, long nodeid, byte[] body) {
        return FuseRequest.decode(
                request(opcode, unique, nodeid, body), FuseProtocol.IN_HEADER + body.length);
    }
}
