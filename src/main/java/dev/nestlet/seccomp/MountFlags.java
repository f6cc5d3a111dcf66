package dev.nestlet.seccomp;

import dev.nestlet.sys.MountCalls;
import java.util.OptionalLong;

/**
 * How a mount(2) request's flags (constants in {@link MountCalls}) map onto the new mount API's
 * attributes.
 */
public final class MountFlags {
    static final long PROPAGATION =
            MountCalls.MS_UNBINDABLE
                    | MountCalls.MS_PRIVATE
                    | MountCalls.MS_SLAVE
                    | MountCalls.MS_SHARED;
    private static final long EMULATED =
            MountCalls.MS_RDONLY
                    | MountCalls.MS_NOSUID
                    | MountCalls.MS_NODEV
                    | MountCalls.MS_NOEXEC
                    | MountCalls.MS_NOATIME
                    | MountCalls.MS_NODIRATIME
                    | MountCalls.MS_RELATIME
                    | MountCalls.MS_STRICTATIME
                    | MountCalls.MS_SILENT;

    private static final long ATIME = 0x70;
    private static final long MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

    private MountFlags() {}

    /** Drops the historic magic number in the high bits, as the kernel does. */
    public static long normalize(long flags) {
        return (flags & MountCalls.MS_MGC_MSK) == MountCalls.MS_MGC_VAL
                ? flags & ~MountCalls.MS_MGC_MSK
                : flags;
    }

    /**
     * True for a request that makes a new superblock: not a remount, bind, move or propagation
     * change.
     */
    public static boolean isNewMount(long flags) {
        return (flags
                        & (MountCalls.MS_REMOUNT
                                | MountCalls.MS_BIND
                                | MountCalls.MS_MOVE
                                | PROPAGATION))
                == 0;
    }

    /**
     * True for a request the agent lets through whatever its other arguments: a recursive bind, or
     * a propagation change that is not also a remount or a move. Nothing nestlet protects can be
     * uncovered by either (a recursive bind carries nestlet's mounts along), so the seccomp filter
     * lets them through without notifying ({@link NotifyRules}), and the agent answers CONTINUE to
     * any that still reach it.
     */
    public static boolean continuesUnchecked(long flags) {
        long f = normalize(flags);
        if ((f & (MountCalls.MS_REMOUNT | MountCalls.MS_MOVE)) != 0) {
            return false;
        }
        return (f & MountCalls.MS_BIND) != 0
                ? (f & MountCalls.MS_REC) != 0
                : (f & PROPAGATION) != 0;
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
        if ((f & MountCalls.MS_RDONLY) != 0) {
            a |= MountCalls.MOUNT_ATTR_RDONLY;
        }
        if ((f & MountCalls.MS_NOSUID) != 0) {
            a |= MountCalls.MOUNT_ATTR_NOSUID;
        }
        if ((f & MountCalls.MS_NODEV) != 0) {
            a |= MountCalls.MOUNT_ATTR_NODEV;
        }
        if ((f & MountCalls.MS_NOEXEC) != 0) {
            a |= MountCalls.MOUNT_ATTR_NOEXEC;
        }
        if ((f & MountCalls.MS_NOATIME) != 0) {
            a |= MountCalls.MOUNT_ATTR_NOATIME;
        } else if ((f & MountCalls.MS_STRICTATIME) != 0) {
            a |= MountCalls.MOUNT_ATTR_STRICTATIME;
        }
        if ((f & MountCalls.MS_NODIRATIME) != 0) {
            a |= MountCalls.MOUNT_ATTR_NODIRATIME;
        }
        return OptionalLong.of(a);
    }

    /**
     * The per-mount options mountinfo would show for the MOUNT_ATTR_* set {@code attrs} (what
     * statmount reports), in the kernel's order (show_mnt_opts): "ro" or "rw", nosuid, nodev,
     * noexec, noatime, nodiratime, relatime, nosymfollow, idmapped.
     */
    static String optionsOf(long attrs) {
        StringBuilder b =
                new StringBuilder((attrs & MountCalls.MOUNT_ATTR_RDONLY) != 0 ? "ro" : "rw");
        append(b, attrs, MountCalls.MOUNT_ATTR_NOSUID, ",nosuid");
        append(b, attrs, MountCalls.MOUNT_ATTR_NODEV, ",nodev");
        append(b, attrs, MountCalls.MOUNT_ATTR_NOEXEC, ",noexec");
        append(b, attrs, MountCalls.MOUNT_ATTR_NOATIME, ",noatime");
        append(b, attrs, MountCalls.MOUNT_ATTR_NODIRATIME, ",nodiratime");
        if ((attrs & ATIME) == 0) { // MOUNT_ATTR_RELATIME is 0, the default
            b.append(",relatime");
        }
        append(b, attrs, MOUNT_ATTR_NOSYMFOLLOW, ",nosymfollow");
        append(b, attrs, MountCalls.MOUNT_ATTR_IDMAP, ",idmapped");
        return b.toString();
    }

    private static void append(StringBuilder b, long attrs, long bit, String option) {
        if ((attrs & bit) != 0) {
            b.append(option);
        }
    }
}
