package dev.nestlet.netlink;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * An interface address as RTM_GETADDR reports it: the local address, its prefix length, scope
 * (RT_SCOPE_*: 0 global, 253 link) and the index of its interface.
 */
public record Address(InetAddress local, int prefixLength, int scope, int index) {
    public static final int SCOPE_GLOBAL = 0;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFADDRMSG = 8;

    /** The address family (AF_INET or AF_INET6) of {@code a}. */
    static int family(InetAddress a) {
        return a instanceof Inet6Address ? Route.AF_INET6 : Route.AF_INET;
    }

    /** {@code ADDRESS/PREFIX}, as `ip addr` writes it. */
    public String cidr() {
        return local.getHostAddress() + "/" + prefixLength;
    }

    /**
     * From an RTM_NEWADDR message: struct ifaddrmsg, then IFA_* attributes; IPv4 reports the local
     * address as IFA_LOCAL (IFA_ADDRESS is the peer's on a point-to-point link), IPv6 only as
     * IFA_ADDRESS.
     */
    static Address decode(Message m) throws UnknownHostException {
        ByteBuffer b = Wire.order(ByteBuffer.wrap(m.body()));
        Map<Integer, byte[]> attrs = Wire.attributes(m.body(), IFADDRMSG);
        byte[] local = attrs.containsKey(IFA_LOCAL) ? attrs.get(IFA_LOCAL) : attrs.get(IFA_ADDRESS);
        if (local == null) {
            throw new IllegalArgumentException("RTM_NEWADDR without an address");
        }
        return new Address(
                InetAddress.getByAddress(local),
                Byte.toUnsignedInt(b.get(1)),
                Byte.toUnsignedInt(b.get(3)),
                b.getInt(4));
    }
}
