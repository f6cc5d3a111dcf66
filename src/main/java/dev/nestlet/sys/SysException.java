package dev.nestlet.sys;

/**
 * A failed system call: which call, which errno, on which path (or fd). Unchecked, because every
 * caller above {@code sys/} handles it the same way: the request that caused it fails with a
 * message naming all three.
 */
public final class SysException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String syscall;
    private final int errno;
    private final String path;

    public SysException(String syscall, int errno, String path) {
        super(format(syscall, errno, path));
        this.syscall = syscall;
        this.errno = errno;
        this.path = path;
    }

    private static String format(String syscall, int errno, String path) {
        String where = path == null ? "" : " " + path;
        return syscall + where + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")";
    }

    public String syscall() {
        return syscall;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }

    public String path() {
        return path;
    }

    public boolean is(int expected) {
        return errno == expected;
    }
}
