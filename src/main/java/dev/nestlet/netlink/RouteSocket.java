package dev.nestlet.netlink;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.NetlinkCalls;
import dev.nestlet.sys.NetnsThread;
import dev.nestlet.sys.SysException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An rtnetlink socket in one network namespace: what `ip link`, `ip addr` and `ip route` do there,
 * without a child process. A socket belongs to the namespace it was made in, so it is made by a
 * short-lived thread that enters the namespace first ({@code sys.NetnsThread}); the calls below may
 * then run on any thread, one at a time.
 */
public final class RouteSocket implements AutoCloseable {
    private static final long OPEN_TIMEOUT_SECONDS = 10;
    private static final int RECEIVE_BUFFER = 64 * 1024;

    private final Fd fd;
    private final ByteBuffer in = ByteBuffer.allocateDirect(RECEIVE_BUFFER);
    private int seq;

    private RouteSocket(Fd fd) {
        this.fd = fd;
    }

    /** A socket in the network namespace at {@code netnsPath} (an nsfs file). */
    public static RouteSocket in(String netnsPath) throws Exception {
        String what = "rtnetlink in " + netnsPath;
        try (Fd ns = FileCalls.open(netnsPath, FileCalls.O_RDONLY, 0)) {
            return new RouteSocket(
                    NetnsThread.call(
                            ns,
                            "netns-rtnetlink",
                            OPEN_TIMEOUT_SECONDS,
                            () -> NetlinkCalls.openRoute(what)));
        }
    }

    public List<Link> links() {
        List<Link> out = new ArrayList<>();
        for (Message m : dump(Requests.links(), "RTM_GETLINK")) {
            out.add(Link.decode(m));
        }
        return out;
    }

    public List<Address> addresses() throws UnknownHostException {
        List<Address> out = new ArrayList<>();
        for (Message m : dump(Requests.addresses(), "RTM_GETADDR")) {
            out.add(Address.decode(m));
        }
        return out;
    }

    /** Every route of {@code family} (Route.AF_INET or AF_INET6), of every table. */
    public List<Route> routes(int family) throws UnknownHostException {
        List<Route> out = new ArrayList<>();
        for (Message m : dump(Requests.routes(family), "RTM_GETROUTE")) {
            out.add(Route.decode(m));
        }
        return out;
    }

    /** Moves interface {@code index} into the network namespace at {@code netnsPath}. */
    public void moveLink(int index, String netnsPath) {
        try (Fd target = FileCalls.open(netnsPath, FileCalls.O_RDONLY, 0)) {
            change(Requests.moveLink(index, target.get()), "RTM_NEWLINK netns " + netnsPath);
        }
    }

    public void up(int index) {
        change(Requests.up(index), "RTM_NEWLINK up " + index);
    }

    public void add(Address a, int index) {
        change(Requests.add(a, index), "RTM_NEWADDR " + a.cidr() + " dev " + index);
    }

    public void add(Route r, int outputIndex) {
        change(Requests.add(r, outputIndex), "RTM_NEWROUTE " + r + " dev " + outputIndex);
    }

    /** Sends a request that changes something and waits for its acknowledgement. */
    private void change(Request q, String what) {
        int n = send(q);
        while (true) {
            for (Message m : receive()) {
                if (m.seq() == n && m.type() == Wire.NLMSG_ERROR) {
                    failOn(m, what);
                    return;
                }
            }
        }
    }

    /** Sends a dump request and collects its answers up to NLMSG_DONE. */
    private List<Message> dump(Request q, String what) {
        int n = send(q);
        List<Message> out = new ArrayList<>();
        while (true) {
            for (Message m : receive()) {
                if (m.seq() != n) {
                    continue; // not ours; none expected, the socket joins no multicast group
                }
                if (m.type() == Wire.NLMSG_DONE) {
                    return out;
                }
                if (m.type() == Wire.NLMSG_ERROR) {
                    failOn(m, what);
                    return out;
                }
                out.add(m);
            }
        }
    }

    private void failOn(Message m, String what) {
        int errno = Requests.error(m);
        if (errno != 0) {
            throw new SysException("netlink " + what, errno, fd.what());
        }
    }

    private int send(Request q) {
        byte[] bytes = q.bytes(++seq);
        ByteBuffer out = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        NetlinkCalls.send(fd, out);
        return seq;
    }

    private List<Message> receive() {
        in.clear();
        int n = NetlinkCalls.receive(fd, in);
        return Wire.split(in, n);
    }

    @Override
    public void close() {
        fd.close();
    }
}
