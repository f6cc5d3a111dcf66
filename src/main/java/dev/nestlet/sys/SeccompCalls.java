package dev.nestlet.sys;

import jnr.ffi.Pointer;

/** The seccomp user-notification ioctls on a listener fd (linux/seccomp.h). */
public final class SeccompCalls {
    /** Answer flag: let the kernel run the call as if no filter had stopped it. */
    public static final int FLAG_CONTINUE = 1;

    public static final int AUDIT_ARCH_X86_64 = 0xc000003e;
    public static final int AUDIT_ARCH_I386 = 0x40000003;

    private static final long NOTIF_RECV = 0xc0502100L;
    private static final long NOTIF_SEND = 0xc0182101L;
    private static final long NOTIF_ID_VALID = 0x40082102L;
    private static final long NR_SECCOMP = 317;
    private static final int GET_NOTIF_SIZES = 3;
    private static final int NOTIF_SIZE = 80;
    private static final int RESP_SIZE = 24;
    private static final int DATA_SIZE = 64;

    private SeccompCalls() {}

    /**
     * Checks that the kernel's structures have the sizes this class was written for
     * (SECCOMP_GET_NOTIF_SIZES); a kernel that grew them needs a new nestlet.
     */
    public static void checkSizes() {
        Pointer sizes = Native.allocate(6);
        Native.check(
                Native.C.syscall(NR_SECCOMP, GET_NOTIF_SIZES, 0, sizes),
                "seccomp",
                "GET_NOTIF_SIZES");
        int notif = sizes.getShort(0);
        int resp = sizes.getShort(2);
        int data = sizes.getShort(4);
        if (notif != NOTIF_SIZE || resp != RESP_SIZE || data != DATA_SIZE) {
            throw new IllegalStateException(
                    "seccomp notification sizes "
                            + notif
                            + "/"
                            + resp
                            + "/"
                            + data
                            + " differ from the expected "
                            + NOTIF_SIZE
                            + "/"
                            + RESP_SIZE
                            + "/"
                            + DATA_SIZE);
        }
    }

    /**
     * Takes the next pending notification. Returns null when it vanished before it could be taken
     * (ENOENT: the caller was killed); call it only when the fd polls readable, or it blocks.
     */
    public static SeccompNotif receive(Fd listener) {
        Pointer buf = Native.allocate(NOTIF_SIZE); // zeroed: the kernel refuses a dirty buffer
        int rc = Native.C.ioctl(listener.get(), NOTIF_RECV, buf);
        if (rc < 0 && Native.errno() == Errno.ENOENT) {
            return null;
        }
        Native.check(rc, "ioctl(SECCOMP_IOCTL_NOTIF_RECV)", listener.what());
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = buf.getLong(32 + 8L * i);
        }
        return new SeccompNotif(
                buf.getLong(0),
                buf.getInt(8),
                buf.getInt(12),
                buf.getInt(16),
                buf.getInt(20),
                buf.getLong(24),
                args);
    }

    /**
     * True while notification {@code id} is still waiting: its caller is alive and blocked in the
     * call.
     */
    public static boolean isValid(Fd listener, long id) {
        Pointer p = Native.allocate(8);
        p.putLong(0, id);
        return Native.C.ioctl(listener.get(), NOTIF_ID_VALID, p) == 0;
    }

    /**
     * Answers notification {@code id}: {@code error} is a positive errno (the call fails with it),
     * or 0 with {@code val} as the return value; {@code flags} may be {@link #FLAG_CONTINUE}.
     * Returns false when the caller is gone (ENOENT), which is not an error for a supervisor.
     */
    public static boolean respond(Fd listener, long id, long val, int error, int flags) {
        Pointer resp = Native.allocate(RESP_SIZE);
        resp.putLong(0, id);
        resp.putLong(8, val);
        resp.putInt(16, -error);
        resp.putInt(20, flags);
        int rc = Native.C.ioctl(listener.get(), NOTIF_SEND, resp);
        if (rc < 0 && Native.errno() == Errno.ENOENT) {
            return false;
        }
        Native.check(rc, "ioctl(SECCOMP_IOCTL_NOTIF_SEND)", listener.what());
        return true;
    }
}
