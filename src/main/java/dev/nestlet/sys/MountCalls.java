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

    private MountCalls() {}

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
