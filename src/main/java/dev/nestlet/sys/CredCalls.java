package dev.nestlet.sys;

import jnr.ffi.Pointer;

/**
 * Per-thread filesystem credentials. setfsuid/setfsgid and capset act on the calling thread only
 * (the raw system calls; glibc does not broadcast them to other threads), so one thread can briefly
 * act as another user.
 */
public final class CredCalls {
    private static final long NR_SETFSUID = 122;
    private static final long NR_SETFSGID = 123;
    private static final long NR_CAPGET = 125;
    private static final long NR_CAPSET = 126;
    private static final int CAP_VERSION_3 = 0x20080522;

    private CredCalls() {}

    /**
     * setfsuid(2); returns the previous fsuid. Changing away from 0 drops the fs capabilities from
     * effective.
     */
    public static int setfsuid(int uid) {
        return (int) Native.C.syscall(NR_SETFSUID, uid, 0);
    }

    public static int setfsgid(int gid) {
        return (int) Native.C.syscall(NR_SETFSGID, gid, 0);
    }

    /**
     * Makes this thread's effective capabilities equal to its permitted ones again (after
     * setfsuid).
     */
    public static void raiseEffectiveToPermitted() {
        Pointer header = Native.allocate(8);
        header.putInt(0, CAP_VERSION_3);
        header.putInt(4, 0);
        Pointer data = Native.allocate(24);
        Native.check(Native.C.syscall(NR_CAPGET, header, data), "capget", null);
        data.putInt(0, data.getInt(4)); // effective[0] = permitted[0]
        data.putInt(12, data.getInt(16)); // effective[1] = permitted[1]
        Native.check(Native.C.syscall(NR_CAPSET, header, data), "capset", null);
    }
}
