package dev.nestlet.sys;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;

/**
 * The FUSE character device: open, clone a session to a second fd, read requests, write replies.
 */
public final class FuseCalls {
    public static final String DEVICE = "/dev/fuse";

    /** _IOR(229, 0, uint32_t): binds a fresh /dev/fuse fd to the session of another. */
    private static final long FUSE_DEV_IOC_CLONE = 0x8004E500L;

    private FuseCalls() {}

    public static Fd open() {
        return FileCalls.open(DEVICE, FileCalls.O_RDWR, 0);
    }

    /**
     * A new fd on the same FUSE connection as {@code session} (FUSE_DEV_IOC_CLONE): each reader
     * thread gets its own, so replies go to the fd their request came from. Works only after mount.
     */
    public static Fd cloneSession(Fd session) {
        Fd fd = open();
        try {
            Pointer arg = Native.allocate(4);
            arg.putInt(0, session.get());
            Native.check(
                    Native.C.ioctl(fd.get(), FUSE_DEV_IOC_CLONE, arg),
                    "ioctl(FUSE_DEV_IOC_CLONE)",
                    DEVICE);
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Reads one request into {@code buf} from 0; returns its length or -errno (EINTR, ENOENT,
     * ENODEV are normal).
     */
    public static long readRequest(int fd, ByteBuffer buf) {
        return FileCalls.readOrErrno(fd, buf, buf.capacity());
    }

    /** Writes one reply of {@code len} bytes from the start of {@code buf}; returns 0 or -errno. */
    public static long writeReply(int fd, ByteBuffer buf, int len) {
        long n = FileCalls.writeOrErrno(fd, buf, len);
        return n < 0 ? n : 0;
    }
}
