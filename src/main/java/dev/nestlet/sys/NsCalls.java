package dev.nestlet.sys;

/** unshare(2) and setns(2). */
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

    private NsCalls() {}

    public static void unshare(int flags) {
        Native.check(Native.C.unshare(flags), "unshare", null);
    }

    public static void setns(Fd fd, int nstype) {
        Native.check(Native.C.setns(fd.get(), nstype), "setns", fd.what());
    }

    /** The user namespace that owns the namespace behind {@code nsFd} (ioctl NS_GET_USERNS). */
    public static Fd ownerUserNamespace(Fd nsFd) {
        int fd = Native.check(Native.C.ioctl(nsFd.get(), NS_GET_USERNS, null), "ioctl(NS_GET_USERNS)", nsFd.what());
        return new Fd(fd, "owner of " + nsFd.what());
    }
}
