package dev.nestlet.sys;

import jnr.ffi.Pointer;

/** pidfds and signals. */
public final class PidCalls {
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;

    private static final long NR_PIDFD_OPEN = 434;
    private static final long NR_PIDFD_SEND_SIGNAL = 424;
    private static final long NR_PIDFD_GETFD = 438;
    private static final short POLLIN = 1;
    private static final long PAGE = 4096;

    private PidCalls() {}

    public static Fd pidfdOpen(int pid) {
        long rc = Native.C.syscall(NR_PIDFD_OPEN, pid, 0);
        return new Fd((int) Native.check(rc, "pidfd_open", "pid " + pid), "pidfd " + pid);
    }

    /** True while the process behind the pidfd has not exited (a pidfd polls readable on exit). */
    public static boolean isAlive(Fd pidfd) {
        Pointer pfd = Native.allocate(8);
        pfd.putInt(0, pidfd.get());
        pfd.putShort(4, POLLIN);
        int rc = Native.check(Native.C.poll(pfd, 1, 0), "poll", pidfd.what());
        return rc == 0;
    }

    public static void signal(Fd pidfd, int sig) {
        Native.check(
                Native.C.syscall(NR_PIDFD_SEND_SIGNAL, pidfd.get(), sig, null, 0),
                "pidfd_send_signal",
                pidfd.what());
    }

    /** A copy of another process's fd (pidfd_getfd), as SCM_RIGHTS would give it. */
    public static Fd pidfdGetfd(Fd pidfd, int targetFd) {
        long rc = Native.C.syscall(NR_PIDFD_GETFD, pidfd.get(), targetFd, 0);
        return new Fd(
                (int) Native.check(rc, "pidfd_getfd", pidfd.what()),
                "fd " + targetFd + " of " + pidfd.what());
    }

    public static int getpid() {
        return Native.C.getpid();
    }

    public static int gettid() {
        return Native.C.gettid();
    }

    /**
     * Reads up to {@code length} bytes of another process's memory at {@code address}
     * (process_vm_readv), one remote iovec per page so that a read running into an unmapped page
     * returns what came before it. Returns the bytes read, maybe fewer.
     */
    public static byte[] readMemory(int pid, long address, int length) {
        if (length <= 0) {
            return new byte[0];
        }
        Pointer local = Native.allocate(length);
        int pages = (int) (((address & (PAGE - 1)) + length + PAGE - 1) / PAGE);
        Pointer liov = Native.allocate(16);
        liov.putAddress(0, local.address());
        liov.putLong(8, length);
        Pointer riov = Native.allocate(16 * pages);
        long at = address;
        long left = length;
        for (int i = 0; i < pages; i++) {
            long chunk = Math.min(left, PAGE - (at & (PAGE - 1)));
            riov.putLong(16L * i, at);
            riov.putLong(16L * i + 8, chunk);
            at += chunk;
            left -= chunk;
        }
        long n = Native.C.process_vm_readv(pid, liov, 1, riov, pages, 0);
        if (n < 0 && Native.errno() == Errno.EFAULT) {
            n = 0;
        }
        Native.check(n, "process_vm_readv", "pid " + pid);
        byte[] out = new byte[(int) n];
        local.get(0, out, 0, out.length);
        return out;
    }
}
