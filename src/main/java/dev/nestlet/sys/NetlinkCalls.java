package dev.nestlet.sys;

import java.nio.ByteBuffer;

/**
 * Raw rtnetlink sockets: opened in the calling thread's network namespace (a socket stays in the
 * namespace it was made in, whichever thread uses it later), one datagram sent to the kernel, one
 * read back. Message encoding is {@code dev.nestlet.netlink}'s.
 */
public final class NetlinkCalls {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int NETLINK_ROUTE = 0;

    private NetlinkCalls() {}

    /**
     * A NETLINK_ROUTE socket in this thread's network namespace; {@code what} names it in errors.
     */
    public static Fd openRoute(String what) {
        return new Fd(
                Native.check(
                        Native.C.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE),
                        "socket(AF_NETLINK)",
                        what),
                what);
    }

    /**
     * Sends {@code buf} (position to limit) to the kernel: an unconnected netlink socket's peer is
     * the kernel, so no address is needed.
     */
    public static void send(Fd fd, ByteBuffer buf) {
        long n;
        do {
            n = Native.C.sendto(fd.get(), buf, buf.remaining(), 0, null, 0);
        } while (n < 0 && Native.errno() == Errno.EINTR);
        Native.check(n, "sendto(netlink)", fd.what());
    }

    /** One datagram from the kernel into {@code buf} at its position; returns its length. */
    public static int receive(Fd fd, ByteBuffer buf) {
        long n;
        do {
            n = Native.C.read(fd.get(), buf, buf.remaining());
        } while (n < 0 && Native.errno() == Errno.EINTR);
        return (int) Native.check(n, "recv(netlink)", fd.what());
    }
}
