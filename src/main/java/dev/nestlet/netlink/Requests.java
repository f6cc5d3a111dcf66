package dev.nestlet.netlink;

import java.nio.ByteBuffer;

/** The rtnetlink requests {@link RouteSocket} sends, built as `ip` builds them. */
final class Requests {
    static final int RTM_NEWLINK = 16;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_GETADDR = 22;
    static final int RTM_NEWROUTE = 24;
    static final int RTM_GETROUTE = 26;
    static final int IFF_UP = 0x1;
    static final int IFLA_NET_NS_FD = 28;

    private static final int DUMP = Wire.NLM_F_REQUEST | Wire.NLM_F_DUMP;
    private static final int CHANGE = Wire.NLM_F_REQUEST | Wire.NLM_F_ACK;
    private static final int CREATE =
            Wire.NLM_F_REQUEST | Wire.NLM_F_ACK | Wire.NLM_F_CREATE | Wire.NLM_F_EXCL;

    private Requests() {}

    /** RTM_GETLINK dump: every interface. */
    static Request links() {
        return ifinfomsg(new Request(RTM_GETLINK, DUMP), 0, 0, 0);
    }

    /** RTM_GETADDR dump of both families. */
    static Request addresses() {
        return new Request(RTM_GETADDR, DUMP).u8(0).u8(0).u8(0).u8(0).u32(0);
    }

    /** RTM_GETROUTE dump of {@code family}, every table (callers filter). */
    static Request routes(int family) {
        return new Request(RTM_GETROUTE, DUMP).u8(family).u8(0).u8(0).u8(0).u32(0).u32(0);
    }

    /**
     * RTM_NEWLINK with IFLA_NET_NS_FD: interface {@code index} into the network namespace of the
     * nsfs fd {@code nsFd} (`ip link set dev X netns PATH`).
     */
    static Request moveLink(int index, int nsFd) {
        return ifinfomsg(new Request(RTM_NEWLINK, CHANGE), index, 0, 0)
                .attributeU32(IFLA_NET_NS_FD, nsFd);
    }

    /** RTM_NEWLINK setting IFF_UP (`ip link set dev X up`). */
    static Request up(int index) {
        return ifinfomsg(new Request(RTM_NEWLINK, CHANGE), index, IFF_UP, IFF_UP);
    }

    /**
     * RTM_NEWADDR (`ip addr add A/P dev X`): IFA_LOCAL and IFA_ADDRESS both the address, as ip
     * sends them when no peer is given.
     */
    static Request add(Address a, int index) {
        byte[] raw = a.local().getAddress();
        return new Request(RTM_NEWADDR, CREATE)
                .u8(Address.family(a.local()))
                .u8(a.prefixLength())
                .u8(0)
                .u8(a.scope())
                .u32(index)
                .attribute(Address.IFA_LOCAL, raw)
                .attribute(Address.IFA_ADDRESS, raw);
    }

    /** RTM_NEWROUTE (`ip route add`) of {@code r} through interface {@code oif}. */
    static Request add(Route r, int oif) {
        Request q =
                new Request(RTM_NEWROUTE, CREATE)
                        .u8(r.family())
                        .u8(r.destinationLength())
                        .u8(0)
                        .u8(0)
                        // rtm_table is a byte; RTA_TABLE below carries the full number.
                        .u8(r.table() < 256 ? r.table() : 252)
                        .u8(r.protocol())
                        .u8(r.scope())
                        .u8(r.type())
                        .u32(0)
                        .attributeU32(Route.RTA_TABLE, r.table());
        if (r.destination() != null) {
            q.attribute(Route.RTA_DST, r.destination().getAddress());
        }
        if (r.gateway() != null) {
            q.attribute(Route.RTA_GATEWAY, r.gateway().getAddress());
        }
        q.attributeU32(Route.RTA_OIF, oif);
        if (r.preferredSource() != null) {
            q.attribute(Route.RTA_PREFSRC, r.preferredSource().getAddress());
        }
        if (r.metric() >= 0) {
            q.attributeU32(Route.RTA_PRIORITY, r.metric());
        }
        return q;
    }

    private static Request ifinfomsg(Request q, int index, int flags, int change) {
        return q.u8(0).u8(0).u16(0).u32(index).u32(flags).u32(change);
    }

    /** The error number of an NLMSG_ERROR message (0: an acknowledgement). */
    static int error(Message m) {
        return -Wire.order(ByteBuffer.wrap(m.body())).getInt(0);
    }
}
