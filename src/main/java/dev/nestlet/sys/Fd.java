package dev.nestlet.sys;

/**
 * An owned file descriptor. Closing twice is harmless; {@link #release()} hands the number to a new
 * owner without closing it.
 */
public final class Fd implements AutoCloseable {
    private int fd;
    private final String what;

    public Fd(int fd, String what) {
        this.fd = fd;
        this.what = what;
    }

    public int get() {
        if (fd < 0) {
            throw new IllegalStateException("fd of " + what + " already closed");
        }
        return fd;
    }

    public String what() {
        return what;
    }

    public boolean isOpen() {
        return fd >= 0;
    }

    public int release() {
        int n = get();
        fd = -1;
        return n;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Native.C.close(fd);
            fd = -1;
        }
    }

    @Override
    public String toString() {
        return "fd " + fd + " (" + what + ")";
    }
}
