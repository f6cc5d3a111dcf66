package dev.nestlet.sys;

import jnr.ffi.Pointer;

/** mount(2) and the new mount API (open_tree, move_mount, mount_setattr). */
public final class MountCalls {
    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_REMOUNT = 32;
    public static final long MS_NOATIME = 1024;
    public static final long MS_NODIRATIME = 2048;
    public static final long MS_BIND = 4096;
    public static final long MS_MOVE = 8192;
    public static final long MS_REC = 16384;
    public static final long MS_SILENT = 32768;
    public static final long MS_UNBINDABLE = 1 << 17;
    public static final long MS_PRIVATE = 1L << 18;
    public static final long MS_SLAVE = 1L << 19;
    public static final long MS_SHARED = 1L << 20;
    public static final long MS_RELATIME = 1 << 21;
    public static final long MS_STRICTATIME = 1 << 24;

    /** The magic a pre-2.4 caller of mount(2) put in the high 16 bits; the kernel ignores it. */
    public static final long MS_MGC_MSK = 0xffff0000L;

    public static final long MS_MGC_VAL = 0xc0ed0000L;

    public static final int MNT_FORCE = 1;
    public static final int MNT_DETACH = 2;
    public static final int UMOUNT_NOFOLLOW = 8;

    public static final int OPEN_TREE_CLONE = 1;
    public static final int MOVE_MOUNT_F_EMPTY_PATH = 0x04;
    public static final int MOVE_MOUNT_T_EMPTY_PATH = 0x40;

    public static final long MOUNT_ATTR_RDONLY = 0x1;
    public static final long MOUNT_ATTR_NOSUID = 0x2;
    public static final long MOUNT_ATTR_NODEV = 0x4;
    public static final long MOUNT_ATTR_NOEXEC = 0x8;
    public static final long MOUNT_ATTR_NOATIME = 0x10;
    public static final long MOUNT_ATTR_STRICTATIME = 0x20;
    public static final long MOUNT_ATTR_NODIRATIME = 0x80;
    public static final long MOUNT_ATTR_IDMAP = 0x100000;

    private static final long NR_OPEN_TREE = 428;
    private static final long NR_MOVE_MOUNT = 429;
    private static final long NR_MOUNT_SETATTR = 442;
    private static final int MOUNT_ATTR_SIZE = 32;
    private static final long NR_FSOPEN = 430;
    private static final long NR_FSCONFIG = 431;
    private static final long NR_FSMOUNT = 432;
    private static final int FSOPEN_CLOEXEC = 1;
    private static final int FSMOUNT_CLOEXEC = 1;
    private static final int FSCONFIG_SET_FLAG = 0;
    private static final int FSCONFIG_SET_STRING = 1;
    private static final int FSCONFIG_SET_FD = 5;
    private static final int FSCONFIG_CMD_CREATE = 6;

    private static final long NR_STATMOUNT = 457;
    private static final long NR_LISTMOUNT = 458;
    // struct mnt_id_req: size, mnt_ns_fd (Linux 6.18; "spare" before), mnt_id, param, mnt_ns_id
    private static final int MNT_ID_REQ_SIZE = 32;
    private static final long STATMOUNT_MNT_BASIC = 0x2;
    private static final long STATMOUNT_MNT_ROOT = 0x8;
    private static final long STATMOUNT_MNT_POINT = 0x10;
    private static final long STATMOUNT_FS_TYPE = 0x20;
    private static final long STATMOUNT_FS_SUBTYPE = 0x100;
    private static final long STATMOUNT_SB_SOURCE = 0x200;
    private static final long STATMOUNT_WANTED =
            STATMOUNT_MNT_BASIC
                    | STATMOUNT_MNT_ROOT
                    | STATMOUNT_MNT_POINT
                    | STATMOUNT_FS_TYPE
                    | STATMOUNT_FS_SUBTYPE
                    | STATMOUNT_SB_SOURCE;
    // offsets in struct statmount; its strings start at str[], after the fixed 512 bytes
    private static final int SM_MASK = 8;
    private static final int SM_FS_TYPE = 36;
    private static final int SM_MNT_ID = 40;
    private static final int SM_MNT_PARENT_ID = 48;
    private static final int SM_MNT_ID_OLD = 56;
    private static final int SM_MNT_PARENT_ID_OLD = 60;
    private static final int SM_MNT_ATTR = 64;
    private static final int SM_MNT_ROOT = 104;
    private static final int SM_MNT_POINT = 108;
    private static final int SM_FS_SUBTYPE = 120;
    private static final int SM_SB_SOURCE = 124;
    private static final int SM_STR = 512;
    // a root, a mount point and a source of PATH_MAX each fit, with type and subtype
    private static final int STATMOUNT_BUFFER = SM_STR + 4 * 4096 + 512;
    private static final int LISTMOUNT_BATCH = 256;
    private static final ThreadLocal<Pointer> STATMOUNT_BUF =
            ThreadLocal.withInitial(() -> Native.allocate(STATMOUNT_BUFFER));
    private static final ThreadLocal<Pointer> LISTMOUNT_BUF =
            ThreadLocal.withInitial(() -> Native.allocate(LISTMOUNT_BATCH * 8));

    private MountCalls() {}

    /**
     * statmount(2) of the mount with 64-bit id {@code id} in the mount namespace {@code mountNs}
     * (an nsfs fd, passed as mnt_id_req.mnt_ns_fd: Linux 6.18). ENOENT when that namespace has no
     * such mount; older kernels answer ENOSYS (before 6.8) or EINVAL (an fd they do not know of).
     */
    public static MountStat statmount(long id, Fd mountNs) {
        Pointer buf = STATMOUNT_BUF.get();
        Native.check(
                Native.C.syscall(
                        NR_STATMOUNT,
                        request(mountNs, id, STATMOUNT_WANTED),
                        buf,
                        STATMOUNT_BUFFER,
                        0),
                "statmount",
                Long.toHexString(id));
        long mask = buf.getLong(SM_MASK);
        String fsType = string(buf, SM_FS_TYPE);
        if ((mask & STATMOUNT_FS_SUBTYPE) != 0) {
            fsType += "." + string(buf, SM_FS_SUBTYPE);
        }
        return new MountStat(
                buf.getLong(SM_MNT_ID),
                buf.getLong(SM_MNT_PARENT_ID),
                buf.getInt(SM_MNT_ID_OLD),
                buf.getInt(SM_MNT_PARENT_ID_OLD),
                buf.getLong(SM_MNT_ATTR),
                string(buf, SM_MNT_ROOT),
                string(buf, SM_MNT_POINT),
                fsType,
                (mask & STATMOUNT_SB_SOURCE) != 0 ? string(buf, SM_SB_SOURCE) : "none");
    }

    /**
     * listmount(2): the 64-bit ids of every mount beneath the mount {@code id} (at any depth) in
     * the mount namespace {@code mountNs}, in id order.
     */
    public static long[] listmount(long id, Fd mountNs) {
        Pointer buf = LISTMOUNT_BUF.get();
        long[] out = new long[0];
        long last = 0;
        while (true) {
            Pointer req = request(mountNs, id, last);
            int n =
                    (int)
                            Native.check(
                                    Native.C.syscall(NR_LISTMOUNT, req, buf, LISTMOUNT_BATCH, 0),
                                    "listmount",
                                    Long.toHexString(id));
            int from = out.length;
            out = java.util.Arrays.copyOf(out, from + n);
            buf.get(0, out, from, n);
            if (n < LISTMOUNT_BATCH) {
                return out;
            }
            last = out[out.length - 1];
        }
    }

    private static Pointer request(Fd mountNs, long id, long param) {
        Pointer req = Native.allocate(MNT_ID_REQ_SIZE);
        req.putInt(0, MNT_ID_REQ_SIZE);
        req.putInt(4, mountNs.get());
        req.putLong(8, id);
        req.putLong(16, param);
        return req;
    }

    /** The NUL-terminated string at offset {@code offsetField} (relative to str[]) names. */
    private static String string(Pointer buf, int offsetField) {
        int at = SM_STR + buf.getInt(offsetField);
        int end = at;
        while (end < STATMOUNT_BUFFER && buf.getByte(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - at];
        buf.get(at, b, 0, b.length);
        // mount points are bytes, not always UTF-8: malformed ones decode to U+FFFD, as MountInfo's
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    public static void mount(String source, String target, String fstype, long flags, String data) {
        Native.check(Native.C.mount(source, target, fstype, flags, data), "mount", target);
    }

    public static void umount2(String target, int flags) {
        Native.check(Native.C.umount2(target, flags), "umount2", target);
    }

    /** A detached copy of the mount at {@code path} (OPEN_TREE_CLONE), recursive when asked. */
    public static Fd openTreeClone(String path, boolean recursive) {
        int flags =
                OPEN_TREE_CLONE | FileCalls.O_CLOEXEC | (recursive ? FileCalls.AT_RECURSIVE : 0);
        long rc = Native.C.syscall(NR_OPEN_TREE, FileCalls.AT_FDCWD, path, flags);
        return new Fd((int) Native.check(rc, "open_tree", path), "tree " + path);
    }

    /**
     * A detached copy (not recursive) of the mount at {@code relative}, resolved from the directory
     * {@code dir}: many files under one directory cost one walk to it.
     */
    public static Fd openTreeCloneAt(Fd dir, String relative) {
        int flags = OPEN_TREE_CLONE | FileCalls.O_CLOEXEC;
        long rc = Native.C.syscall(NR_OPEN_TREE, dir.get(), relative, flags);
        return new Fd((int) Native.check(rc, "open_tree", relative), "tree " + relative);
    }

    /** Same as {@link #openTreeClone(String, boolean)} for an fd that is already open. */
    public static Fd openTreeClone(Fd dir, boolean recursive) {
        int flags =
                OPEN_TREE_CLONE
                        | FileCalls.O_CLOEXEC
                        | FileCalls.AT_EMPTY_PATH
                        | (recursive ? FileCalls.AT_RECURSIVE : 0);
        long rc = Native.C.syscall(NR_OPEN_TREE, dir.get(), "", flags);
        return new Fd((int) Native.check(rc, "open_tree", dir.what()), "tree " + dir.what());
    }

    /** mount_setattr(2) on the mount at {@code path} (not recursive, no idmap). */
    public static void setAttr(String path, long set, long clear) {
        Pointer attr = Native.allocate(MOUNT_ATTR_SIZE);
        attr.putLong(0, set);
        attr.putLong(8, clear);
        long rc =
                Native.C.syscall(
                        NR_MOUNT_SETATTR, FileCalls.AT_FDCWD, path, 0, attr, MOUNT_ATTR_SIZE);
        Native.check(rc, "mount_setattr", path);
    }

    /** Attaches the detached mount {@code tree} on top of the object {@code target} refers to. */
    public static void moveMount(Fd tree, Fd target) {
        long rc =
                Native.C.syscall(
                        NR_MOVE_MOUNT,
                        tree.get(),
                        "",
                        target.get(),
                        "",
                        MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        Native.check(rc, "move_mount", target.what());
    }

    /**
     * Attaches the detached mount {@code tree} at {@code path} (resolved in the caller's
     * namespace).
     */
    public static void moveMount(Fd tree, String path) {
        long rc =
                Native.C.syscall(
                        NR_MOVE_MOUNT,
                        tree.get(),
                        "",
                        FileCalls.AT_FDCWD,
                        path,
                        MOVE_MOUNT_F_EMPTY_PATH);
        Native.check(rc, "move_mount", path);
    }

    /**
     * mount_setattr(2) on a mount fd (AT_EMPTY_PATH), optionally recursive; {@code usernsFd} is
     * used only with MOUNT_ATTR_IDMAP and is -1 otherwise.
     */
    public static void setAttr(Fd mount, boolean recursive, long set, long clear, int usernsFd) {
        Pointer attr = Native.allocate(MOUNT_ATTR_SIZE);
        attr.putLong(0, set);
        attr.putLong(8, clear);
        attr.putLong(16, 0);
        attr.putLong(24, usernsFd < 0 ? 0 : usernsFd);
        int flags = FileCalls.AT_EMPTY_PATH | (recursive ? FileCalls.AT_RECURSIVE : 0);
        long rc = Native.C.syscall(NR_MOUNT_SETATTR, mount.get(), "", flags, attr, MOUNT_ATTR_SIZE);
        Native.check(rc, "mount_setattr", mount.what());
    }

    /**
     * fsopen(2): a filesystem context for a new superblock of {@code fsType}, made with this
     * thread's credentials and namespaces.
     */
    public static Fd fsopen(String fsType) {
        long rc = Native.C.syscall(NR_FSOPEN, fsType, FSOPEN_CLOEXEC);
        return new Fd((int) Native.check(rc, "fsopen", fsType), "fs context " + fsType);
    }

    /**
     * fsconfig(FSCONFIG_SET_STRING), or FSCONFIG_SET_FLAG when {@code value} is null; repeatable
     * keys such as overlay's "lowerdir+" append.
     */
    public static void fsconfig(Fd context, String key, String value) {
        int cmd = value == null ? FSCONFIG_SET_FLAG : FSCONFIG_SET_STRING;
        Native.check(
                Native.C.syscall(NR_FSCONFIG, context.get(), cmd, key, value, 0), "fsconfig", key);
    }

    /** fsconfig(FSCONFIG_SET_FD): passes an fd (a namespace, a device) as parameter {@code key}. */
    public static void fsconfigFd(Fd context, String key, Fd value) {
        Native.check(
                Native.C.syscall(
                        NR_FSCONFIG, context.get(), FSCONFIG_SET_FD, key, null, value.get()),
                "fsconfig",
                key);
    }

    /**
     * FSCONFIG_CMD_CREATE: makes the superblock, with the calling thread's credentials as its
     * creator's.
     */
    public static void fsconfigCreate(Fd context) {
        Native.check(
                Native.C.syscall(NR_FSCONFIG, context.get(), FSCONFIG_CMD_CREATE, null, null, 0),
                "fsconfig",
                "create " + context.what());
    }

    /** fsmount(2): a detached mount of a created superblock, to attach with {@link #moveMount}. */
    public static Fd fsmount(Fd context, long attrs) {
        long rc = Native.C.syscall(NR_FSMOUNT, context.get(), FSMOUNT_CLOEXEC, (int) attrs);
        return new Fd(
                (int) Native.check(rc, "fsmount", context.what()), "mount of " + context.what());
    }
}
