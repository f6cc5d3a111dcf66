package dev.nestlet.sys;

/** unshare(2), setns(2) and the nsfs ioctls. */
public final class NsCalls {
    public static final int CLONE_FS = 0x00000200;
    public static final int CLONE_NEWNS = 0x00020000;
    public static final int CLONE_NEWCGROUP = 0x02000000;
    public static final int CLONE_NEWUTS = 0x04000000;
    public static final int CLONE_NEWIPC = 0x08000000;
    public static final int CLONE_NEWUSER = 0x10000000;
    public static final int CLONE_NEWPID = 0x20000000;
    public static final int CLONE_NEWNET = 0x40000000;

    /** _IO(0xb7, 0x1): an fd of the user namespace that owns a namespace (linux/nsfs.h). */
    private static final long NS_GET_USERNS = 0xb701L;

    /** _IO(0xb7, 0x2): an fd of the parent of a user namespace. */
    private static final long NS_GET_PARENT = 0xb702L;

    private NsCalls() {}

    public static void unshare(int flags) {
        Native.check(Native.C.unshare(flags), "unshare", null);
    }

    public static void setns(Fd fd, int nstype) {
        Native.check(Native.C.setns(fd.get(), nstype), "setns", fd.what());
    }

    /** The user namespace that owns the namespace {@code ns} (an nsfs fd). */
    public static Fd owningUserns(Fd ns) {
        int rc = Native.C.ioctl(ns.get(), NS_GET_USERNS, null);
        return new Fd(Native.check(rc, "ioctl(NS_GET_USERNS)", ns.what()), "owner of " + ns.what());
    }

    /** The parent of user namespace {@code userns}, or null for the initial one. */
    public static Fd parentUserns(Fd userns) {
        int rc = Native.C.ioctl(userns.get(), NS_GET_PARENT, null);
        if (rc < 0 && Native.errno() == Errno.EPERM) {
            return null;
        }
        return new Fd(
                Native.check(rc, "ioctl(NS_GET_PARENT)", userns.what()),
                "parent of " + userns.what());
    }
}
