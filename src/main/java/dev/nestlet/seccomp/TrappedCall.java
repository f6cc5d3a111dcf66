package dev.nestlet.seccomp;

import dev.nestlet.sys.SeccompCalls;

/**
 * The system calls the agent is notified of, named independently of the ABI the caller used:
 * x86_64, x32 (same numbers with bit 30 set) and i386 (its own table).
 */
public enum TrappedCall {
    MOUNT("mount"),
    UMOUNT2("umount2"),
    /** i386's old umount(path): umount2(path, 0). */
    UMOUNT("umount"),
    MOVE_MOUNT("move_mount"),
    SETNS("setns"),
    /** The new mount API: a detached copy of a mount (tree), or an fd of it. */
    OPEN_TREE("open_tree"),
    /** A new filesystem context (a superblock to be). */
    FSOPEN("fsopen"),
    /** A context for reconfiguring an existing superblock. */
    FSPICK("fspick"),
    /** Changes mount attributes (read-only, nosuid...; recursively with AT_RECURSIVE). */
    MOUNT_SETATTR("mount_setattr"),
    /** A call this agent does not handle (a profile not written by nestlet notifies it). */
    OTHER(null);

    private static final int X32_BIT = 0x40000000;

    private final String syscallName;

    TrappedCall(String syscallName) {
        this.syscallName = syscallName;
    }

    /** The libseccomp name of the call, as a profile lists it; null for {@link #OTHER}. */
    public String syscallName() {
        return syscallName;
    }

    public static TrappedCall of(int arch, int nr) {
        if (arch == SeccompCalls.AUDIT_ARCH_X86_64) {
            return switch (nr & ~X32_BIT) {
                case 165 -> MOUNT;
                case 166 -> UMOUNT2;
                case 429 -> MOVE_MOUNT;
                case 308 -> SETNS;
                case 428 -> OPEN_TREE;
                case 430 -> FSOPEN;
                case 433 -> FSPICK;
                case 442 -> MOUNT_SETATTR;
                default -> OTHER;
            };
        }
        if (arch == SeccompCalls.AUDIT_ARCH_I386) {
            return switch (nr) {
                case 21 -> MOUNT;
                case 22 -> UMOUNT;
                case 52 -> UMOUNT2;
                case 429 -> MOVE_MOUNT;
                case 346 -> SETNS;
                case 428 -> OPEN_TREE;
                case 430 -> FSOPEN;
                case 433 -> FSPICK;
                case 442 -> MOUNT_SETATTR;
                default -> OTHER;
            };
        }
        return OTHER;
    }
}
