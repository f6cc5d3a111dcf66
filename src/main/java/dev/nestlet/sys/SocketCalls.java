package dev.nestlet.sys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jnr.ffi.Pointer;

/** The unix-socket calls the JDK lacks: datagrams (sd_notify), fd passing (SCM_RIGHTS). */
public final class SocketCalls {
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_SEQPACKET = 5;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SHUT_RDWR = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CTRUNC = 0x8;
    private static final int MSG_PEEK = 0x2;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int SO_PEEK_OFF = 42;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int MSGHDR_SIZE = 56;
    private static final int CMSGHDR_SIZE = 16;
    private static final short POLLIN = 1;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SUN_PATH_MAX = 108;

    private SocketCalls() {}

    /**
     * Sends one datagram to the unix socket {@code path}; a leading '@' names an abstract socket.
     */
    public static void sendDatagram(String path, byte[] message) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        Pointer addr = address(path);
        int addrLen = 2 + name.length + (name[0] == '@' ? 0 : 1);
        try (Fd fd =
                new Fd(
                        Native.check(
                                Native.C.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0),
                                "socket",
                                path),
                        path)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(message.length).put(message).flip();
            Native.check(
                    Native.C.sendto(fd.get(), buf, message.length, 0, addr, addrLen),
                    "sendto",
                    path);
        }
    }

    /** A sockaddr_un for {@code path}; a leading '@' names an abstract socket. */
    private static Pointer address(String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException("socket path empty or too long: " + path);
        }
        Pointer addr = Native.allocate(2 + SUN_PATH_MAX);
        addr.putShort(0, (short) AF_UNIX);
        addr.put(2, name, 0, name.length);
        if (name[0] == '@') {
            addr.putByte(2, (byte) 0);
        }
        return addr;
    }

    /** A listening stream socket bound at {@code path} (which must not exist). */
    public static Fd listenStream(String path, int backlog) {
        Pointer addr = address(path);
        Fd fd =
                new Fd(
                        Native.check(
                                Native.C.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0),
                                "socket",
                                path),
                        "listener " + path);
        try {
            Native.check(Native.C.bind(fd.get(), addr, 2 + SUN_PATH_MAX), "bind", path);
            Native.check(Native.C.listen(fd.get(), backlog), "listen", path);
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** Blocks for the next connection; throws (EINVAL) once the listener was shut down. */
    public static Fd accept(Fd listener) {
        while (true) {
            int rc = Native.C.accept4(listener.get(), null, null, SOCK_CLOEXEC);
            if (rc < 0 && Native.errno() == Errno.EINTR) {
                continue;
            }
            return new Fd(
                    Native.check(rc, "accept4", listener.what()),
                    "connection on " + listener.what());
        }
    }

    /** shutdown(SHUT_RDWR): wakes a thread blocked in {@link #accept} or a read on this socket. */
    public static void shutdown(Fd fd) {
        Native.C.shutdown(fd.get(), SHUT_RDWR);
    }

    /**
     * Waits up to {@code timeoutMs} for {@code fd} to be readable (or hung up); false on timeout.
     */
    public static boolean awaitReadable(Fd fd, int timeoutMs) {
        return readable(fd.get(), timeoutMs, fd.what());
    }

    /**
     * Whether the listening socket {@code fd} (owned elsewhere, e.g. by netty) has connections in
     * its backlog not yet accepted: poll(2) reports a listener readable exactly then.
     */
    public static boolean pendingConnections(int fd) {
        return readable(fd, 0, "listener fd " + fd);
    }

    private static boolean readable(int fd, int timeoutMs, String what) {
        Pointer pfd = Native.allocate(8);
        pfd.putInt(0, fd);
        pfd.putShort(4, POLLIN);
        int rc = Native.C.poll(pfd, 1, timeoutMs);
        if (rc < 0 && Native.errno() == Errno.EINTR) {
            return false;
        }
        return Native.check(rc, "poll", what) > 0;
    }

    /**
     * One recvmsg(2) of at most {@code maxBytes} with room for {@code maxFds} SCM_RIGHTS fds, which
     * arrive close-on-exec and are owned by the caller.
     */
    public static ReceivedMessage receiveWithFds(Fd fd, int maxBytes, int maxFds) {
        return receive(fd, maxBytes, maxFds, 0);
    }

    /**
     * As {@link #receiveWithFds}, but the bytes stay queued on the socket ({@code MSG_PEEK}); the
     * fds passed with them are installed in this process all the same, as copies. Peeks from the
     * socket's peek offset (see {@link #peekFromStart}) and moves it past what it returns. Never
     * blocks: empty when nothing is queued beyond the offset yet (the socket polls readable as long
     * as peeked bytes are queued, so poll cannot say when more came).
     */
    public static Optional<ReceivedMessage> peekWithFds(Fd fd, int maxBytes, int maxFds) {
        try {
            return Optional.of(receive(fd, maxBytes, maxFds, MSG_PEEK | MSG_DONTWAIT));
        } catch (SysException e) {
            if (e.errno() == Errno.EAGAIN) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Makes the next {@link #peekWithFds} start at the first queued byte and each one continue
     * where the last stopped ({@code SO_PEEK_OFF}, a property of the socket, not of this fd:
     * another process that peeked on it before left its own offset).
     */
    public static void peekFromStart(Fd fd) {
        Pointer zero = Native.allocate(4);
        zero.putInt(0, 0);
        Native.check(
                Native.C.setsockopt(fd.get(), SOL_SOCKET, SO_PEEK_OFF, zero, 4),
                "setsockopt(SO_PEEK_OFF)",
                fd.what());
    }

    private static ReceivedMessage receive(Fd fd, int maxBytes, int maxFds, int flags) {
        Pointer data = Native.allocate(maxBytes);
        Pointer iov = Native.allocate(16);
        iov.putAddress(0, data.address());
        iov.putLong(8, maxBytes);
        int controlLen = CMSGHDR_SIZE + 4 * maxFds + 8; // CMSG_SPACE, rounded up
        Pointer control = Native.allocate(controlLen);
        Pointer msg = Native.allocate(MSGHDR_SIZE);
        msg.putAddress(16, iov.address());
        msg.putLong(24, 1);
        msg.putAddress(32, control.address());
        msg.putLong(40, controlLen);
        long n;
        do {
            n = Native.C.recvmsg(fd.get(), msg, MSG_CMSG_CLOEXEC | flags);
        } while (n < 0 && Native.errno() == Errno.EINTR);
        Native.check(n, "recvmsg", fd.what());
        List<Fd> fds = new ArrayList<>();
        long used = msg.getLong(40);
        long off = 0;
        while (off + CMSGHDR_SIZE <= used) {
            long len = control.getLong(off);
            if (len < CMSGHDR_SIZE || off + len > used) {
                break;
            }
            if (control.getInt(off + 8) == SOL_SOCKET && control.getInt(off + 12) == SCM_RIGHTS) {
                for (long p = off + CMSGHDR_SIZE; p + 4 <= off + len; p += 4) {
                    fds.add(new Fd(control.getInt(p), "fd received on " + fd.what()));
                }
            }
            off += (len + 7) & ~7L;
        }
        byte[] bytes = new byte[(int) n];
        data.get(0, bytes, 0, bytes.length);
        return new ReceivedMessage(bytes, fds, (msg.getInt(48) & MSG_CTRUNC) != 0);
    }

    /**
     * A SOCK_SEQPACKET connection to the unix socket {@code path} (one message per request and
     * answer).
     */
    public static Fd connectSeqpacket(String path) {
        return connect(path, SOCK_SEQPACKET);
    }

    /** A SOCK_STREAM connection to the unix socket {@code path}. */
    public static Fd connectStream(String path) {
        return connect(path, SOCK_STREAM);
    }

    private static Fd connect(String path, int type) {
        Pointer addr = address(path);
        Fd fd =
                new Fd(
                        Native.check(
                                Native.C.socket(AF_UNIX, type | SOCK_CLOEXEC, 0), "socket", path),
                        "connection to " + path);
        try {
            int rc;
            do {
                rc = Native.C.connect(fd.get(), addr, 2 + SUN_PATH_MAX);
            } while (rc < 0 && Native.errno() == Errno.EINTR);
            Native.check(rc, "connect", path);
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** One sendmsg(2) of {@code data} with {@code fds} in SCM_RIGHTS on a connected socket. */
    public static void sendWithFds(Fd socket, byte[] data, int... fds) {
        sendMessage(socket.get(), null, 0, data, fds, socket.what());
    }

    /**
     * One datagram with {@code fds} in SCM_RIGHTS to the unix socket {@code path} (a leading '@'
     * names an abstract socket): sd_notify with fds.
     */
    public static void sendDatagramWithFds(String path, byte[] data, int... fds) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        Pointer addr = address(path);
        int addrLen = 2 + name.length + (name[0] == '@' ? 0 : 1);
        try (Fd fd =
                new Fd(
                        Native.check(
                                Native.C.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0),
                                "socket",
                                path),
                        path)) {
            sendMessage(fd.get(), addr, addrLen, data, fds, path);
        }
    }

    private static void sendMessage(
            int fd, Pointer addr, int addrLen, byte[] data, int[] fds, String what) {
        Pointer buf = Native.allocate(Math.max(1, data.length));
        buf.put(0, data, 0, data.length);
        Pointer iov = Native.allocate(16);
        iov.putAddress(0, buf.address());
        iov.putLong(8, data.length);
        Pointer msg = Native.allocate(MSGHDR_SIZE);
        if (addr != null) {
            msg.putAddress(0, addr.address());
            msg.putInt(8, addrLen);
        }
        msg.putAddress(16, iov.address());
        msg.putLong(24, 1);
        if (fds.length > 0) {
            int controlLen = CMSGHDR_SIZE + ((4 * fds.length + 7) & ~7); // CMSG_SPACE
            Pointer control = Native.allocate(controlLen);
            control.putLong(0, CMSGHDR_SIZE + 4L * fds.length); // CMSG_LEN
            control.putInt(8, SOL_SOCKET);
            control.putInt(12, SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                control.putInt(CMSGHDR_SIZE + 4L * i, fds[i]);
            }
            msg.putAddress(32, control.address());
            msg.putLong(40, controlLen);
        }
        long n;
        do {
            n = Native.C.sendmsg(fd, msg, MSG_NOSIGNAL);
        } while (n < 0 && Native.errno() == Errno.EINTR);
        Native.check(n, "sendmsg", what);
    }

    /**
     * A datagram socket bound at {@code path}, to receive on (tests stand in for systemd with it).
     */
    public static Fd bindDatagram(String path) {
        Pointer addr = address(path);
        Fd fd =
                new Fd(
                        Native.check(
                                Native.C.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0),
                                "socket",
                                path),
                        "datagram socket " + path);
        try {
            Native.check(Native.C.bind(fd.get(), addr, 2 + SUN_PATH_MAX), "bind", path);
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }
}
