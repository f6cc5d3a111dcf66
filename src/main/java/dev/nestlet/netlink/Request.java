package dev.nestlet.netlink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One netlink request being written: the nlmsghdr (filled in by {@link #bytes}), the family header
 * field by field, then attributes.
 */
final class Request {
    private final ByteBuffer buf = Wire.order(ByteBuffer.allocate(1024));
    private final int type;
    private final int flags;

    Request(int type, int flags) {
        this.type = type;
        this.flags = flags;
        buf.position(Wire.HEADER);
    }

    Request u8(int v) {
        buf.put((byte) v);
        return this;
    }

    Request u16(int v) {
        buf.putShort((short) v);
        return this;
    }

    Request u32(int v) {
        buf.putInt(v);
        return this;
    }

    Request attribute(int attrType, byte[] value) {
        buf.putShort((short) (4 + value.length)).putShort((short) attrType).put(value);
        while (buf.position() % 4 != 0) {
            buf.put((byte) 0);
        }
        return this;
    }

    Request attributeU32(int attrType, int value) {
        return attribute(attrType, Wire.order(ByteBuffer.allocate(4)).putInt(value).array());
    }

    Request attributeString(int attrType, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[s.length + 1];
        System.arraycopy(s, 0, z, 0, s.length);
        return attribute(attrType, z);
    }

    /** The whole message with sequence number {@code seq} (port id 0: the kernel fills it in). */
    byte[] bytes(int seq) {
        int len = buf.position();
        buf.putInt(0, len).putShort(4, (short) type).putShort(6, (short) flags).putInt(8, seq);
        buf.putInt(12, 0);
        byte[] out = new byte[len];
        buf.get(0, out);
        return out;
    }
}
