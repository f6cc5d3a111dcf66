package dev.nestlet.seccomp;

import dev.nestlet.sys.MountCalls;
import java.util.OptionalLong;

/** mount(2) flags, and how a new-mount request maps onto the new mount API's attributes. */
public final class MountFlags {
    public static final long MS_RDONLY = MountCalls.MS_RDONLY;
    public static final long MS_NOSUID = MountCalls.MS_NOSUID;
    public static final long MS_NODEV = MountCalls.MS_NODEV;
    public static final long MS_NOEXEC = MountCalls.MS_NOEXEC;
    public static final long MS_REMOUNT = MountCalls.MS_REMOUNT;
    public static final long MS_NOATIME = 1024;
    public static final long MS_NODIRATIME = 2048;
    public static final long MS_BIND = MountCalls.MS_BIND;
    public static final long MS_MOVE = MountCalls.MS_MOVE;
    public static final long MS_REC = MountCalls.MS_REC;
    public static final long MS_SILENT = 32768;
    public static final long MS_UNBINDABLE = 1 << 17;
    public static final long MS_PRIVATE = MountCalls.MS_PRIVATE;
    public static final long MS_SLAVE = MountCalls.MS_SLAVE;
    public static final long MS_SHARED = MountCalls.MS_SHARED;
    public static final long MS_RELATIME = 1 << 21;
    public static final long MS_STRICTATIME = 1 << 24;

    /** The magic a pre-2.4 caller put in the high 16 bits; the kernel ignores it. */
    public static final long MS_MGC_MSK = 0xffff0000L;

    public static final long MS_MGC_VAL = 0xc0ed0000L;

    private static final long PROPAGATION = MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED;
    private static final long EMULATED =
            MS_RDONLY
                    | MS_NOSUID
                    | MS_NODEV
                    | MS_NOEXEC
                    | MS_NOATIME
                    | MS_NODIRATIME
                    | MS_RELATIME
                    | MS_STRICTATIME
                    | MS_SILENT;

    private MountFlags() {}

    /** Drops the historic magic number in the high bits, as the kernel does. */
    public static long normalize(long flags) {
        return (flags & MS_MGC_MSK) == MS_MGC_VAL ? flags & ~MS_MGC_MSK : flags;
    }

    /**
     * True for a request that makes a new superblock: not a remount, bind, move or propagation
     * change.
     */
    public static boolean isNewMount(long flags) {
        return (flags & (MS_REMOUNT | MS_BIND | MS_MOVE | PROPAGATION)) == 0;
    }

    /**
     * The MOUNT_ATTR_* set equivalent to the per-mount flags of a new-mount request, or empty when
     * it carries a flag the agent cannot reproduce (MS_SYNCHRONOUS, MS_MANDLOCK, MS_DIRSYNC,
     * MS_LAZYTIME...).
     */
    public static OptionalLong attributes(long flags) {
        long f = normalize(flags);
        if ((f & ~EMULATED) != 0) {
            return OptionalLong.empty();
        }
        long a = 0;
        if ((f & MS_RDONLY) != 0) {
            a |= MountCalls.MOUNT_ATTR_RDONLY;
        }
        if ((f & MS_NOSUID) != 0) {
            a |= MountCalls.MOUNT_ATTR_NOSUID;
        }
        if ((f & MS_NODEV) != 0) {
            a |= MountCalls.MOUNT_ATTR_NODEV;
        }
        if ((f & MS_NOEXEC) != 0) {
            a |= MountCalls.MOUNT_ATTR_NOEXEC;
        }
        if ((f & MS_NOATIME) != 0) {
            a |= MountCalls.MOUNT_ATTR_NOATIME;
        } else if ((f & MS_STRICTATIME) != 0) {
            a |= MountCalls.MOUNT_ATTR_STRICTATIME;
        }
        if ((f & MS_NODIRATIME) != 0) {
            a |= MountCalls.MOUNT_ATTR_NODIRATIME;
        }
        return OptionalLong.of(a);
    }
}
