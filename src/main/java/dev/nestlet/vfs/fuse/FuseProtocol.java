package dev.nestlet.vfs.fuse;

/**
 * Numbers of the FUSE kernel protocol (include/uapi/linux/fuse.h) that nestlet speaks: version 7.38
 * or the kernel's own when it is older. Only what a tree of small files needs is here (read-only,
 * but for the sysctls, written whole by one write(2) each).
 */
public final class FuseProtocol {
    public static final int MAJOR = 7;
    public static final int MINOR = 38;

    /** fuse_init_out grew to 64 bytes in 7.23; older kernels are not supported. */
    public static final int OLDEST_MINOR = 23;

    public static final int LOOKUP = 1;
    public static final int FORGET = 2;
    public static final int GETATTR = 3;
    public static final int SETATTR = 4;
    public static final int MKNOD = 8;
    public static final int MKDIR = 9;
    public static final int UNLINK = 10;
    public static final int RMDIR = 11;
    public static final int RENAME = 12;
    public static final int LINK = 13;
    public static final int OPEN = 14;
    public static final int READ = 15;
    public static final int WRITE = 16;
    public static final int STATFS = 17;
    public static final int RELEASE = 18;
    public static final int FSYNC = 20;
    public static final int SETXATTR = 21;
    public static final int FLUSH = 25;
    public static final int INIT = 26;
    public static final int OPENDIR = 27;
    public static final int READDIR = 28;
    public static final int RELEASEDIR = 29;
    public static final int FSYNCDIR = 30;
    public static final int ACCESS = 34;
    public static final int CREATE = 35;
    public static final int INTERRUPT = 36;
    public static final int DESTROY = 38;
    public static final int BATCH_FORGET = 42;
    public static final int FALLOCATE = 43;
    public static final int RENAME2 = 45;
    public static final int SYMLINK = 6;
    public static final int REMOVEXATTR = 24;
    public static final int COPY_FILE_RANGE = 47;
    public static final int TMPFILE = 51;

    /** Notification codes go in the error field of a reply with unique 0. */
    static final int NOTIFY_INVAL_ENTRY = 3;

    /** fuse_in_header: len, opcode, unique, nodeid, uid, gid, pid, total_extlen, padding. */
    static final int IN_HEADER = 40;

    /** fuse_out_header: len, error, unique. */
    static final int OUT_HEADER = 16;

    static final int ATTR_SIZE = 88;
    static final int INIT_OUT_SIZE = 64;
    static final int KSTATFS_SIZE = 80;

    /** fuse_write_in before the data: fh, offset, size, write_flags, lock_owner, flags, padding. */
    public static final int WRITE_IN = 40;

    /**
     * The least body the kernel sends with {@code opcode}, as far as nestlet reads it: its
     * fuse_*_in struct (fuse_init_in's first four fields; fuse_read_in also for READDIR). A shorter
     * body is a malformed request, answered EINVAL before any field of it is read.
     */
    public static int leastBody(int opcode) {
        return switch (opcode) {
            case INIT -> 16;
            case OPEN, ACCESS -> 8;
            case RELEASE -> 24;
            case READ, READDIR -> 40;
            case WRITE -> WRITE_IN;
            default -> 0;
        };
    }

    /** fuse_dirent before its name: ino, off, namelen, type. */
    static final int DIRENT_HEADER = 24;

    public static final int FUSE_ASYNC_READ = 1;

    /**
     * O_TRUNC comes with OPEN instead of a SETATTR: writing a sysctl with `echo >` needs no
     * truncate.
     */
    public static final int FUSE_ATOMIC_O_TRUNC = 1 << 3;

    public static final int FUSE_PARALLEL_DIROPS = 1 << 18;

    public static final int FOPEN_DIRECT_IO = 1;

    /** The kernel need not send FLUSH on close: one round trip less per open (PLATFORM.md). */
    public static final int FOPEN_NOFLUSH = 1 << 5;

    public static final int ROOT_ID = 1;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int DT_DIR = 4;
    public static final int DT_REG = 8;
    public static final int W_OK = 2;
    public static final int O_ACCMODE = 3;

    private FuseProtocol() {}
}
