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

    private NsCalls() {}

    public static void unshare(int flags) {
        Native.check(Native.C.unshare(flags), "unshare", null);
    }

    public static void setns(Fd fd, int nstype) {
        Native.check(Native.C.setns(fd.get(), nstype), "setns", fd.what());
    }
}
