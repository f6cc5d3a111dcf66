package dev.nestlet.sys;

import jnr.ffi.Pointer;

/**
 * An epoll instance keyed by fd number. {@link #add} and {@link #remove} may be called from any
 * thread; {@link #await} and the ready accessors belong to the one thread that waits.
 */
public final class Epoll implements AutoCloseable {
    public static final int IN = 0x001;
    public static final int ERR = 0x008;
    public static final int HUP = 0x010;

    private static final int CTL_ADD = 1;
    private static final int CTL_DEL = 2;
    private static final int EVENT_SIZE = 12; // packed on x86_64: u32 events, u64 data

    private final Fd fd;
    private final Pointer ready;
    private final int max;

    public Epoll(int maxEvents) {
        this.fd =
                new Fd(
                        Native.check(
                                Native.C.epoll_create1(FileCalls.O_CLOEXEC), "epoll_create1", null),
                        "epoll");
        this.max = maxEvents;
        this.ready = Native.allocate(EVENT_SIZE * maxEvents);
    }

    public void add(Fd target, int events) {
        Pointer ev = Native.allocate(EVENT_SIZE);
        ev.putInt(0, events);
        ev.putLong(4, target.get());
        Native.check(
                Native.C.epoll_ctl(fd.get(), CTL_ADD, target.get(), ev),
                "epoll_ctl(ADD)",
                target.what());
    }

    public void remove(Fd target) {
        Native.check(
                Native.C.epoll_ctl(fd.get(), CTL_DEL, target.get(), null),
                "epoll_ctl(DEL)",
                target.what());
    }

    /** Waits up to {@code timeoutMs}; returns how many fds are ready (0 on timeout or EINTR). */
    public int await(int timeoutMs) {
        int n = Native.C.epoll_wait(fd.get(), ready, max, timeoutMs);
        if (n < 0 && Native.errno() == Errno.EINTR) {
            return 0;
        }
        return Native.check(n, "epoll_wait", fd.what());
    }

    public int readyFd(int i) {
        return (int) ready.getLong((long) i * EVENT_SIZE + 4);
    }

    public int readyEvents(int i) {
        return ready.getInt((long) i * EVENT_SIZE);
    }

    @Override
    public void close() {
        fd.close();
    }
}
