package dev.nestlet.vfs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds one reply at the start of a reader thread's direct buffer: fuse_out_header and the body
 * the opcode calls for. Each method returns the reply's length, which is what gets written to
 * /dev/fuse.
 */
public final class FuseReply {
    private final ByteBuffer buf;

    public FuseReply(ByteBuffer buf) {
        this.buf = buf.order(ByteOrder.nativeOrder());
    }

    public ByteBuffer buffer() {
        return buf;
    }

    /** Largest body that fits. */
    int capacity() {
        return buf.capacity() - FuseProtocol.OUT_HEADER;
    }

    public int error(long unique, int errno) {
        return header(unique, -errno, FuseProtocol.OUT_HEADER);
    }

    public int empty(long unique) {
        return header(unique, 0, FuseProtocol.OUT_HEADER);
    }

    /** fuse_entry_out: nodeid, generation, entry_valid, attr_valid, their nsecs, fuse_attr. */
    public int entry(long unique, NodeAttr attr, long entryValidSeconds, long attrValidSeconds) {
        int p = FuseProtocol.OUT_HEADER;
        buf.putLong(p, attr.ino());
        buf.putLong(p + 8, 0);
        buf.putLong(p + 16, entryValidSeconds);
        buf.putLong(p + 24, attrValidSeconds);
        buf.putInt(p + 32, 0);
        buf.putInt(p + 36, 0);
        putAttr(p + 40, attr);
        return header(unique, 0, p + 40 + FuseProtocol.ATTR_SIZE);
    }

    /** fuse_attr_out: attr_valid, attr_valid_nsec, dummy, fuse_attr. */
    public int attr(long unique, NodeAttr attr, long validSeconds) {
        int p = FuseProtocol.OUT_HEADER;
        buf.putLong(p, validSeconds);
        buf.putInt(p + 8, 0);
        buf.putInt(p + 12, 0);
        putAttr(p + 16, attr);
        return header(unique, 0, p + 16 + FuseProtocol.ATTR_SIZE);
    }

    /** fuse_open_out: fh, open_flags, padding. */
    public int open(long unique, long fh, int openFlags) {
        int p = FuseProtocol.OUT_HEADER;
        buf.putLong(p, fh);
        buf.putInt(p + 8, openFlags);
        buf.putInt(p + 12, 0);
        return header(unique, 0, p + 16);
    }

    /** fuse_write_out: size, padding. */
    public int written(long unique, int size) {
        int p = FuseProtocol.OUT_HEADER;
        buf.putInt(p, size);
        buf.putInt(p + 4, 0);
        return header(unique, 0, p + 8);
    }

    /**
     * A READ answer: the bytes of {@code src} from {@code offset}, at most {@code size}; none past
     * the end.
     */
    public int data(long unique, byte[] src, long offset, int size) {
        int n =
                offset >= src.length
                        ? 0
                        : (int) Math.min(Math.min(size, src.length - offset), capacity());
        buf.put(FuseProtocol.OUT_HEADER, src, (int) Math.min(offset, src.length), n);
        return header(unique, 0, FuseProtocol.OUT_HEADER + n);
    }

    /** fuse_init_out (64 bytes from 7.23 on). */
    public int init(long unique, int minor, int maxReadahead, int flags, int maxWrite) {
        int p = FuseProtocol.OUT_HEADER;
        for (int i = 0; i < FuseProtocol.INIT_OUT_SIZE; i += 8) {
            buf.putLong(p + i, 0);
        }
        buf.putInt(p, FuseProtocol.MAJOR);
        buf.putInt(p + 4, minor);
        buf.putInt(p + 8, maxReadahead);
        buf.putInt(p + 12, flags);
        buf.putShort(p + 16, (short) 16); // max_background
        buf.putShort(p + 18, (short) 12); // congestion_threshold
        buf.putInt(p + 20, maxWrite);
        buf.putInt(p + 24, 1); // time_gran: 1 ns
        return header(unique, 0, p + FuseProtocol.INIT_OUT_SIZE);
    }

    /** fuse_statfs_out of an empty read-only tree. */
    public int statfs(long unique) {
        int p = FuseProtocol.OUT_HEADER;
        for (int i = 0; i < FuseProtocol.KSTATFS_SIZE; i += 8) {
            buf.putLong(p + i, 0);
        }
        buf.putInt(p + 40, 4096); // bsize
        buf.putInt(p + 44, 255); // namelen
        buf.putInt(p + 48, 4096); // frsize
        return header(unique, 0, p + FuseProtocol.KSTATFS_SIZE);
    }

    /**
     * FUSE_NOTIFY_INVAL_ENTRY: fuse_notify_inval_entry_out (parent, namelen, flags) and the name
     * with its NUL.
     */
    int invalidateEntry(long parent, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int p = FuseProtocol.OUT_HEADER;
        buf.putLong(p, parent);
        buf.putInt(p + 8, n.length);
        buf.putInt(p + 12, 0);
        buf.put(p + 16, n);
        buf.put(p + 16 + n.length, (byte) 0);
        return header(0, FuseProtocol.NOTIFY_INVAL_ENTRY, p + 16 + n.length + 1);
    }

    /**
     * Starts a READDIR answer; add entries with {@link DirentWriter#dirent} until it returns false.
     */
    public DirentWriter dirents(long unique, int size) {
        return new DirentWriter(unique, Math.min(size, capacity()));
    }

    /** Packs fuse_dirent records, each padded to 8 bytes, no more than the reader asked for. */
    public final class DirentWriter {
        private final long unique;
        private final int limit;
        private int pos = FuseProtocol.OUT_HEADER;

        private DirentWriter(long unique, int size) {
            this.unique = unique;
            this.limit = FuseProtocol.OUT_HEADER + size;
        }

        /**
         * Adds one entry; {@code next} is the offset the kernel passes back to continue after it.
         */
        public boolean dirent(long ino, long next, int type, String name) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            int len = (FuseProtocol.DIRENT_HEADER + n.length + 7) & ~7;
            if (pos + len > limit) {
                return false;
            }
            buf.putLong(pos, ino);
            buf.putLong(pos + 8, next);
            buf.putInt(pos + 16, n.length);
            buf.putInt(pos + 20, type);
            buf.put(pos + FuseProtocol.DIRENT_HEADER, n);
            for (int i = FuseProtocol.DIRENT_HEADER + n.length; i < len; i++) {
                buf.put(pos + i, (byte) 0);
            }
            pos += len;
            return true;
        }

        public int finish() {
            return header(unique, 0, pos);
        }
    }

    /**
     * fuse_attr: ino, size, blocks, a/m/ctime, their nsecs, mode, nlink, uid, gid, rdev, blksize,
     * flags.
     */
    private void putAttr(int p, NodeAttr a) {
        buf.putLong(p, a.ino());
        buf.putLong(p + 8, a.size());
        buf.putLong(p + 16, 0);
        buf.putLong(p + 24, a.time());
        buf.putLong(p + 32, a.time());
        buf.putLong(p + 40, a.time());
        buf.putInt(p + 48, 0);
        buf.putInt(p + 52, 0);
        buf.putInt(p + 56, 0);
        buf.putInt(p + 60, a.mode());
        buf.putInt(p + 64, a.nlink());
        buf.putInt(p + 68, a.uid());
        buf.putInt(p + 72, a.gid());
        buf.putInt(p + 76, 0);
        buf.putInt(p + 80, 4096);
        buf.putInt(p + 84, 0);
    }

    private int header(long unique, int error, int length) {
        buf.putInt(0, length);
        buf.putInt(4, error);
        buf.putLong(8, unique);
        return length;
    }
}
