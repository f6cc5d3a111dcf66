package dev.nestlet.netlink;

import java.nio.ByteBuffer;

/** A network interface as RTM_GETLINK reports it: its index, name and IFF_* flags. */
public record Link(int index, String name, int flags) {
    static final int IFLA_IFNAME = 3;
    static final int IFINFOMSG = 16;

    public boolean isLoopback() {
        return name.equals("lo");
    }

    /** From an RTM_NEWLINK message: struct ifinfomsg, then IFLA_* attributes. */
    static Link decode(Message m) {
        ByteBuffer b = Wire.order(ByteBuffer.wrap(m.body()));
        byte[] name = Wire.attributes(m.body(), IFINFOMSG).get(IFLA_IFNAME);
        return new Link(b.getInt(4), name == null ? "" : Wire.string(name), b.getInt(8));
    }
}
