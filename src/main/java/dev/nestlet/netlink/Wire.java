package dev.nestlet.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The netlink wire format (linux/netlink.h, linux/rtnetlink.h): nlmsghdr framing and rtattr
 * attributes, in the host's byte order, each padded to 4 bytes.
 */
final class Wire {
    static final int HEADER = 16;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_MULTI = 0x2;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_DUMP = 0x300;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;

    private Wire() {}

    static int align(int n) {
        return (n + 3) & ~3;
    }

    static ByteBuffer order(ByteBuffer b) {
        return b.order(ByteOrder.nativeOrder());
    }

    /** The messages of one datagram ({@code len} bytes of {@code data} from its start). */
    static List<Message> split(ByteBuffer data, int len) {
        ByteBuffer b = order(data.duplicate());
        List<Message> out = new ArrayList<>();
        int off = 0;
        while (off + HEADER <= len) {
            int msgLen = b.getInt(off);
            if (msgLen < HEADER || off + msgLen > len) {
                throw new IllegalArgumentException(
                        "netlink message of " + msgLen + " bytes at " + off + " of " + len);
            }
            byte[] body = new byte[msgLen - HEADER];
            b.get(off + HEADER, body);
            out.add(
                    new Message(
                            Short.toUnsignedInt(b.getShort(off + 4)),
                            Short.toUnsignedInt(b.getShort(off + 6)),
                            b.getInt(off + 8),
                            body));
            off += align(msgLen);
        }
        return out;
    }

    /**
     * The attributes of {@code body} from {@code offset} (after the family header), by type; a
     * nested or repeated attribute keeps its last value, which is all rtnetlink's flat ones need.
     */
    static Map<Integer, byte[]> attributes(byte[] body, int offset) {
        ByteBuffer b = order(ByteBuffer.wrap(body));
        Map<Integer, byte[]> out = new HashMap<>();
        int off = offset;
        while (off + 4 <= body.length) {
            int len = Short.toUnsignedInt(b.getShort(off));
            if (len < 4 || off + len > body.length) {
                throw new IllegalArgumentException(
                        "netlink attribute of " + len + " bytes at " + off + " of " + body.length);
            }
            byte[] value = new byte[len - 4];
            b.get(off + 4, value);
            // NLA_F_NESTED and NLA_F_NET_BYTEORDER are flags in the type's top bits.
            out.put(Short.toUnsignedInt(b.getShort(off + 2)) & 0x3fff, value);
            off += align(len);
        }
        return out;
    }

    static int u32(byte[] value) {
        return order(ByteBuffer.wrap(value)).getInt(0);
    }

    static String string(byte[] value) {
        int n = 0;
        while (n < value.length && value[n] != 0) {
            n++;
        }
        return new String(value, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
