package dev.nestlet.sys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Pointer;

/** open, openat2, mkdirat, fchownat, read, write and friends, errno as {@link SysException}. */
public final class FileCalls {
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int AT_RECURSIVE = 0x8000;

    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;

    public static final long RESOLVE_NO_XDEV = 0x01;
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    public static final long RESOLVE_BENEATH = 0x08;
    public static final long RESOLVE_IN_ROOT = 0x10;

    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFCHR = 0020000;

    private static final long NR_OPENAT2 = 437;
    private static final ThreadLocal<ByteBuffer> READ_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(64 * 1024));
    private static final ThreadLocal<byte[]> SCRATCH =
            ThreadLocal.withInitial(() -> new byte[64 * 1024]);
    private static final int OPEN_HOW_SIZE = 24;
    private static final int STAT_SIZE = 144;

    private FileCalls() {}

    /**
     * flock(LOCK_EX) on {@code fd}'s open file description: waits while another description holds
     * it when {@code wait}, else returns false at once. A signal's interruption is retried.
     */
    public static boolean lockExclusive(Fd fd, boolean wait) {
        while (true) {
            if (Native.C.flock(fd.get(), LOCK_EX | (wait ? 0 : LOCK_NB)) == 0) {
                return true;
            }
            int errno = Native.errno();
            if (errno == Errno.EAGAIN && !wait) {
                return false;
            }
            if (errno != Errno.EINTR) {
                throw new SysException("flock", errno, fd.what());
            }
        }
    }

    public static Fd open(String path, int flags, int mode) {
        return new Fd(
                Native.check(Native.C.open(path, flags | O_CLOEXEC, mode), "open", path), path);
    }

    /**
     * chdir(2): the working directory of the calling thread's fs_struct, shared with every thread
     * of nestletd unless the caller first made its own with unshare(CLONE_FS).
     */
    public static void chdir(String path) {
        Native.check(Native.C.chdir(path), "chdir", path);
    }

    public static Fd openat(Fd dir, String path, int flags, int mode) {
        int rc = Native.C.openat(dir.get(), path, flags | O_CLOEXEC, mode);
        return new Fd(Native.check(rc, "openat", path), path);
    }

    /** openat2(2): {@code resolve} confines the walk (RESOLVE_IN_ROOT, RESOLVE_NO_SYMLINKS...). */
    public static Fd openat2(Fd dir, String path, int flags, int mode, long resolve) {
        Pointer how = Native.allocate(OPEN_HOW_SIZE);
        how.putLong(0, (flags | O_CLOEXEC) & 0xffffffffL);
        how.putLong(8, mode);
        how.putLong(16, resolve);
        long rc = Native.C.syscall(NR_OPENAT2, dir.get(), path, how, OPEN_HOW_SIZE);
        return new Fd((int) Native.check(rc, "openat2", path), path);
    }

    /** mkdirat(2); returns false when the entry already exists. */
    public static boolean mkdirat(Fd dir, String name, int mode) {
        int rc = Native.C.mkdirat(dir.get(), name, mode);
        if (rc < 0 && Native.errno() == Errno.EEXIST) {
            return false;
        }
        Native.check(rc, "mkdirat", name);
        return true;
    }

    /**
     * A character device node {@code major:minor} named {@code path} (absolute), {@code mode} less
     * the umask; one already there (any kind of file) is left as it is.
     */
    public static void mknodChar(String path, int mode, int major, int minor) {
        // makedev(3) as glibc encodes it
        long dev =
                ((major & 0xfffff000L) << 32)
                        | ((major & 0xfffL) << 8)
                        | ((minor & 0xffffff00L) << 12)
                        | (minor & 0xffL);
        int rc = Native.C.mknodat(AT_FDCWD, path, S_IFCHR | mode, dev);
        if (rc < 0 && Native.errno() == Errno.EEXIST) {
            return;
        }
        Native.check(rc, "mknodat", path);
    }

    /** lchown: never follows a symlink in the last component. */
    public static void lchown(String path, int uid, int gid) {
        Native.check(
                Native.C.fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW), "lchown", path);
    }

    public static void fchown(Fd fd, int uid, int gid) {
        Native.check(Native.C.fchown(fd.get(), uid, gid), "fchown", fd.what());
    }

    public static void fchmod(Fd fd, int mode) {
        Native.check(Native.C.fchmod(fd.get(), mode), "fchmod", fd.what());
    }

    /** Stat of an open fd (AT_EMPTY_PATH). */
    public static Stat fstat(Fd fd) {
        Pointer buf = Native.allocate(STAT_SIZE);
        Native.check(Native.C.fstatat(fd.get(), "", buf, AT_EMPTY_PATH), "fstat", fd.what());
        return new Stat(
                buf.getLong(0),
                buf.getLong(8),
                buf.getInt(24),
                buf.getInt(28),
                buf.getInt(32),
                buf.getLong(48));
    }

    public static Stat lstat(String path) {
        Pointer buf = Native.allocate(STAT_SIZE);
        Native.check(Native.C.fstatat(AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW), "lstat", path);
        return new Stat(
                buf.getLong(0),
                buf.getLong(8),
                buf.getInt(24),
                buf.getInt(28),
                buf.getInt(32),
                buf.getLong(48));
    }

    private static final int STATX_MNT_ID = 0x1000;
    private static final int STATX_MNT_ID_UNIQUE = 0x4000;
    private static final int STATX_SIZE = 256;
    private static final int STATX_MNT_ID_OFFSET = 144;

    private static final long STATX_ATTR_MOUNT_ROOT = 0x2000;
    private static final int STATX_ATTRIBUTES_OFFSET = 8;

    /** True when {@code fd} is the root of a mount (statx STATX_ATTR_MOUNT_ROOT). */
    public static boolean isMountRoot(Fd fd) {
        Pointer buf = Native.allocate(STATX_SIZE);
        Native.check(
                Native.C.statx(fd.get(), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, 0, buf),
                "statx",
                fd.what());
        return (buf.getLong(STATX_ATTRIBUTES_OFFSET) & STATX_ATTR_MOUNT_ROOT) != 0;
    }

    /**
     * The id of the mount {@code path} is on (statx STATX_MNT_ID), not following a last symlink.
     */
    public static long mountId(String path) {
        Pointer buf = Native.allocate(STATX_SIZE);
        Native.check(
                Native.C.statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, buf),
                "statx",
                path);
        return buf.getLong(STATX_MNT_ID_OFFSET);
    }

    /**
     * The 64-bit mount id of the mount {@code fd} is on (statx STATX_MNT_ID_UNIQUE, Linux 6.8), the
     * one statmount and listmount take; ENOSYS when the kernel does not report it.
     */
    public static long uniqueMountId(Fd fd) {
        Pointer buf = Native.allocate(STATX_SIZE);
        Native.check(
                Native.C.statx(
                        fd.get(),
                        "",
                        AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
                        STATX_MNT_ID_UNIQUE,
                        buf),
                "statx",
                fd.what());
        if ((buf.getInt(0) & STATX_MNT_ID_UNIQUE) == 0) {
            throw new SysException(
                    "statx", Errno.ENOSYS, "no STATX_MNT_ID_UNIQUE for " + fd.what());
        }
        return buf.getLong(STATX_MNT_ID_OFFSET);
    }

    public static String readlink(String path) {
        ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        long n =
                Native.check(
                        Native.C.readlinkat(AT_FDCWD, path, buf, buf.capacity()), "readlink", path);
        byte[] bytes = new byte[(int) n];
        buf.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * read(2) into {@code buf} at its position; returns bytes read, 0 at EOF. Position is not
     * moved.
     */
    public static int read(Fd fd, ByteBuffer buf) {
        long n = Native.C.read(fd.get(), buf, buf.remaining());
        return (int) Native.check(n, "read", fd.what());
    }

    /** Raw read returning -errno instead of throwing, for hot loops that expect EINTR/ENODEV. */
    public static long readOrErrno(int fd, ByteBuffer buf, int len) {
        long n = Native.C.read(fd, buf, len);
        return n < 0 ? -Native.errno() : n;
    }

    /** Raw write returning -errno instead of throwing. */
    public static long writeOrErrno(int fd, ByteBuffer buf, int len) {
        long n = Native.C.write(fd, buf, len);
        return n < 0 ? -Native.errno() : n;
    }

    /**
     * pread(2) into {@code buf} at its position, from {@code offset}; returns bytes read, 0 at EOF.
     */
    public static int pread(Fd fd, ByteBuffer buf, long offset) {
        long n = Native.C.pread(fd.get(), buf, buf.remaining(), offset);
        return (int) Native.check(n, "pread", fd.what());
    }

    /** The whole text of a small kernel file: {@link #readText(Fd)} of a fresh fd. */
    public static String readText(String path) {
        try (Fd fd = open(path, O_RDONLY, 0)) {
            return readText(fd);
        }
    }

    /**
     * The whole text (Latin-1, as kernel files are ASCII) of an open kernel file (procfs, sysfs,
     * cgroupfs) in one read at offset 0: a seq_file regenerates its text on a read at offset 0, so
     * one large enough read is one consistent snapshot, and threads may share the fd. The
     * per-thread buffers grow until the file fits; the only allocation is the String.
     */
    public static String readText(Fd fd) {
        ByteBuffer buf = READ_BUFFER.get();
        while (true) {
            buf.clear();
            int n = pread(fd, buf, 0);
            if (n < buf.capacity()) {
                byte[] scratch = SCRATCH.get();
                if (scratch.length < buf.capacity()) {
                    scratch = new byte[buf.capacity()];
                    SCRATCH.set(scratch);
                }
                buf.get(0, scratch, 0, n);
                return new String(scratch, 0, n, StandardCharsets.ISO_8859_1);
            }
            buf = ByteBuffer.allocateDirect(buf.capacity() * 2);
            READ_BUFFER.set(buf);
        }
    }

    public static int write(Fd fd, ByteBuffer buf) {
        long n = Native.C.write(fd.get(), buf, buf.remaining());
        return (int) Native.check(n, "write", fd.what());
    }

    public static void unlinkat(Fd dir, String name, boolean directory) {
        Native.check(
                Native.C.unlinkat(dir.get(), name, directory ? AT_REMOVEDIR : 0), "unlinkat", name);
    }

    /**
     * renameat(2) within one directory fd: replaces {@code to} (the entry itself, never what a
     * symlink names).
     */
    public static void renameat(Fd dir, String from, String to) {
        Native.check(
                Native.C.renameat(dir.get(), from, dir.get(), to), "renameat", from + " -> " + to);
    }

    /** Writes all of {@code data} to {@code fd}. */
    public static void writeAll(Fd fd, byte[] data) {
        ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(1, data.length)).put(data).flip();
        while (buf.hasRemaining()) {
            long n = Native.C.write(fd.get(), buf.slice(), buf.remaining());
            if (n < 0 && Native.errno() == Errno.EINTR) {
                continue;
            }
            Native.check(n, "write", fd.what());
            buf.position(buf.position() + (int) n);
        }
    }

    /** Sets the process-wide umask; returns the previous one. */
    public static int umask(int mask) {
        return Native.C.umask(mask);
    }

    /** The kernel's notion of the path of an open fd, as /proc/self/fd shows it. */
    public static String pathOf(Fd fd) {
        return readlink("/proc/thread-self/fd/" + fd.get());
    }

    /**
     * The id of the mount {@code fd} is on (the "mnt_id" of its fdinfo), as /proc/PID/mountinfo
     * numbers it. {@code proc} is an fd of the host's /proc, so this works from a thread in any
     * mount namespace.
     */
    public static int mountIdOf(Fd proc, Fd fd) {
        String path = "thread-self/fdinfo/" + fd.get();
        ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        int n;
        try (Fd info = openat(proc, path, O_RDONLY, 0)) {
            n = read(info, buf);
        }
        byte[] bytes = new byte[n];
        buf.get(0, bytes);
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("mnt_id:")) {
                return Integer.parseInt(line.substring(7).trim());
            }
        }
        throw new SysException("read", Errno.ENODATA, path + " (no mnt_id)");
    }
}
