package dev.nestlet.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * A route as RTM_GETROUTE reports it, with what it takes to add it again elsewhere: destination
 * (null for a default route) and prefix length, gateway, preferred source and metric (each null or
 * -1 when absent), output interface index, and the rtmsg's table, protocol (RTPROT_*: 2 kernel),
 * scope and type.
 */
public record Route(
        int family,
        InetAddress destination,
        int destinationLength,
        InetAddress gateway,
        InetAddress preferredSource,
        int metric,
        int outputIndex,
        int table,
        int protocol,
        int scope,
        int type) {
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int TABLE_MAIN = 254;
    public static final int PROTOCOL_KERNEL = 2;
    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_PRIORITY = 6;
    static final int RTA_PREFSRC = 7;
    static final int RTA_TABLE = 15;
    static final int RTMSG = 12;

    /** From an RTM_NEWROUTE message: struct rtmsg, then RTA_* attributes. */
    static Route decode(Message m) throws UnknownHostException {
        byte[] body = m.body();
        Map<Integer, byte[]> attrs = Wire.attributes(body, RTMSG);
        int table =
                attrs.containsKey(RTA_TABLE)
                        ? Wire.u32(attrs.get(RTA_TABLE))
                        : Byte.toUnsignedInt(body[4]);
        return new Route(
                Byte.toUnsignedInt(body[0]),
                address(attrs.get(RTA_DST)),
                Byte.toUnsignedInt(body[1]),
                address(attrs.get(RTA_GATEWAY)),
                address(attrs.get(RTA_PREFSRC)),
                attrs.containsKey(RTA_PRIORITY) ? Wire.u32(attrs.get(RTA_PRIORITY)) : -1,
                attrs.containsKey(RTA_OIF) ? Wire.u32(attrs.get(RTA_OIF)) : 0,
                table,
                Byte.toUnsignedInt(body[5]),
                Byte.toUnsignedInt(body[6]),
                Byte.toUnsignedInt(body[7]));
    }

    private static InetAddress address(byte[] raw) throws UnknownHostException {
        return raw == null ? null : InetAddress.getByAddress(raw);
    }

    /** Whether the kernel made it (a subnet route that comes back with its address). */
    public boolean byKernel() {
        return protocol == PROTOCOL_KERNEL;
    }

    /** As `ip route` writes it, for logs and errors. */
    @Override
    public String toString() {
        StringBuilder s =
                new StringBuilder(
                        destination == null
                                ? "default"
                                : destination.getHostAddress() + "/" + destinationLength);
        if (gateway != null) {
            s.append(" via ").append(gateway.getHostAddress());
        }
        s.append(" oif ").append(outputIndex);
        if (preferredSource != null) {
            s.append(" src ").append(preferredSource.getHostAddress());
        }
        if (metric >= 0) {
            s.append(" metric ").append(metric);
        }
        return s.toString();
    }
}
