package dev.nestlet.seccomp;

import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.proc.MountInfo;
import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.NsCalls;
import dev.nestlet.sys.SeccompCalls;
import dev.nestlet.sys.SeccompNotif;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * What nestlet does with each trapped call:
 *
 * <ul>
 *   <li>{@code mount} of a new proc or sysfs that the kernel would refuse: a {@link FreshMount}
 *       made by nestletd, attached on the target;
 *   <li>{@code umount2}/{@code umount}, {@code mount(MS_REMOUNT)} of a target, and {@code
 *       mount(MS_MOVE)}/{@code move_mount} of a source that is one of nestlet's {@link
 *       ProtectedMounts}: EPERM;
 *   <li>{@code setns} into the network namespace the caller is already in: done, as the no-op it
 *       is;
 *   <li>everything else: continue to the kernel, which applies its own checks.
 * </ul>
 *
 * Arguments are read from the caller's memory once; the notification is checked to be still pending
 * after that, and only then are the fds opened from its /proc entry trusted. Returns null when the
 * caller went away.
 */
final class NotificationHandler implements AutoCloseable {
    private static final int PATH_MAX = 4096;
    private static final int DATA_MAX = 4096;
    private static final int FSTYPE_MAX = 256;
    private static final int UMOUNT_NOFOLLOW = 8;
    private static final int MOVE_MOUNT_F_SYMLINKS = 0x01;
    private static final int MOVE_MOUNT_F_EMPTY_PATH = 0x04;

    private final FreshMount fresh;
    private final Fd hostProc;

    /** Call from a thread in nestletd's own mount namespace: it opens the host's /proc. */
    NotificationHandler(NamespaceWorkers workers) {
        this.fresh = new FreshMount(workers);
        this.hostProc = FileCalls.open("/proc", FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0);
    }

    Verdict handle(NotifySession session, SeccompNotif n) throws Exception {
        TrappedCall call = TrappedCall.of(n.arch(), n.nr());
        if (call == TrappedCall.OTHER) {
            return Verdict.proceed("system call " + n.nr() + " is not one nestlet handles");
        }
        BooleanSupplier pending = () -> SeccompCalls.isValid(session.fd(), n.id());
        try (Caller caller = Caller.of(n.pid(), hostProc)) {
            return switch (call) {
                case MOUNT -> mount(session, n, caller, pending);
                case UMOUNT2 ->
                        umount(
                                session,
                                caller,
                                caller.readString(n.arg(0), PATH_MAX),
                                (int) n.arg(1),
                                pending);
                case UMOUNT ->
                        umount(session, caller, caller.readString(n.arg(0), PATH_MAX), 0, pending);
                case MOVE_MOUNT -> moveMount(session, n, caller, pending);
                case SETNS -> setns(n, caller, pending);
                case OTHER -> throw new IllegalStateException();
            };
        }
    }

    private Verdict mount(
            NotifySession session, SeccompNotif n, Caller caller, BooleanSupplier pending)
            throws Exception {
        long flags = MountFlags.normalize(n.arg(3));
        String target = caller.readString(n.arg(1), PATH_MAX);
        if (MountFlags.isNewMount(flags)) {
            String fsType = readOptional(caller, n.arg(2), FSTYPE_MAX);
            if (fsType == null || FreshMount.homeOf(fsType) == null) {
                return Verdict.proceed("new " + fsType + " mount");
            }
            String source = readOptional(caller, n.arg(0), PATH_MAX);
            String data = readOptional(caller, n.arg(4), DATA_MAX);
            return newProcOrSysfs(caller, fsType, source, target, flags, data, pending);
        }
        if ((flags & MountCalls.MS_REMOUNT) != 0) {
            return refuseIfProtected(
                    session,
                    caller,
                    () -> caller.resolve(FileCalls.AT_FDCWD, target, true),
                    "remount " + target,
                    pending);
        }
        if ((flags & MountCalls.MS_MOVE) != 0) {
            String source = caller.readString(n.arg(0), PATH_MAX);
            return refuseIfProtected(
                    session,
                    caller,
                    () -> caller.resolve(FileCalls.AT_FDCWD, source, true),
                    "move " + source,
                    pending);
        }
        return Verdict.proceed("bind or propagation change");
    }

    private Verdict newProcOrSysfs(
            Caller caller,
            String fsType,
            String source,
            String target,
            long flags,
            String data,
            BooleanSupplier pending)
            throws Exception {
        caller.open();
        if (!pending.getAsBoolean()) {
            return null;
        }
        if (caller.mountNamespaceIsHosts()) {
            return Verdict.proceed("caller's mount namespace is the host's: the kernel decides");
        }
        if (!caller.mayMount()) {
            return Verdict.proceed(
                    "caller lacks CAP_SYS_ADMIN over its mount namespace: the kernel refuses");
        }
        OptionalLong attrs = MountFlags.attributes(flags);
        if (attrs.isEmpty()) {
            return Verdict.proceed(
                    "flags 0x" + Long.toHexString(flags) + " nestlet cannot reproduce");
        }
        Fd pidNs = caller.namespace("pid");
        Fd netNs = caller.namespace("net");
        if (fsType.equals("proc") && !caller.owns(pidNs)) {
            return Verdict.proceed("caller's user namespace does not own its pid namespace");
        }
        if (fsType.equals("sysfs") && caller.owns(netNs)) {
            return Verdict.proceed("caller owns its network namespace: the kernel allows sysfs");
        }
        MountInfo template = FreshMount.template(caller, fsType);
        if (template == null) {
            return Verdict.proceed(
                    "caller has no " + fsType + " at " + FreshMount.homeOf(fsType) + " to copy");
        }
        try (Fd at = caller.resolve(FileCalls.AT_FDCWD, target, true)) {
            Fd context = FreshMount.context(fsType, pidNs, netNs, source, data);
            try (context) {
                fresh.attach(caller, context, template, attrs.getAsLong(), at, pending);
            }
        }
        return Verdict.done(fsType + " mounted on " + target + " for " + caller.tid());
    }

    private Verdict umount(
            NotifySession session, Caller caller, String target, int flags, BooleanSupplier pending)
            throws IOException {
        boolean follow = (flags & UMOUNT_NOFOLLOW) == 0;
        return refuseIfProtected(
                session,
                caller,
                () -> caller.resolve(FileCalls.AT_FDCWD, target, follow),
                "umount " + target,
                pending);
    }

    private Verdict moveMount(
            NotifySession session, SeccompNotif n, Caller caller, BooleanSupplier pending)
            throws IOException {
        int fromDir = (int) n.arg(0);
        String from = caller.readString(n.arg(1), PATH_MAX);
        int flags = (int) n.arg(4);
        if (from.isEmpty() && (flags & MOVE_MOUNT_F_EMPTY_PATH) != 0) {
            return refuseIfProtected(
                    session,
                    caller,
                    () -> caller.fd(fromDir),
                    "move_mount of fd " + fromDir,
                    pending);
        }
        boolean follow = (flags & MOVE_MOUNT_F_SYMLINKS) != 0;
        return refuseIfProtected(
                session,
                caller,
                () -> caller.resolve(fromDir, from, follow),
                "move_mount " + from,
                pending);
    }

    /**
     * setns into the network namespace the caller is already in is a no-op, but the kernel still
     * wants CAP_SYS_ADMIN over that namespace's owner: a system container joined to a pod's network
     * namespace (owned by the host) is refused, and an inner dockerd fails `docker run --net=host`
     * and host-network builds ("failed to set into network namespace"). Answered as done without
     * doing anything; every other setns goes to the kernel.
     */
    private Verdict setns(SeccompNotif n, Caller caller, BooleanSupplier pending)
            throws IOException {
        int nstype = (int) n.arg(1);
        if (nstype != 0 && nstype != NsCalls.CLONE_NEWNET) {
            return Verdict.proceed("setns of another namespace type");
        }
        caller.open();
        if (!pending.getAsBoolean()) {
            return null;
        }
        try (Fd target = caller.fd((int) n.arg(0))) {
            if (Caller.sameObject(target, caller.namespace("net"))) {
                return Verdict.done("setns into its own network namespace: nothing to do");
            }
        } catch (SysException e) {
            return Verdict.proceed(
                    "setns fd not readable (" + e.getMessage() + "): the kernel decides");
        }
        return Verdict.proceed("setns into another namespace");
    }

    /** How the object a call acts on is opened in the caller's view. */
    private interface Target {
        Fd open();
    }

    private Verdict refuseIfProtected(
            NotifySession session,
            Caller caller,
            Target target,
            String what,
            BooleanSupplier pending)
            throws IOException {
        ProtectedMounts p = session.protectedMounts();
        if (p.isEmpty()) {
            return Verdict.proceed("nothing protected");
        }
        caller.open();
        if (!pending.getAsBoolean()) {
            return null;
        }
        try (Fd fd = target.open()) {
            if (!FileCalls.isMountRoot(fd)) {
                // Not a mount point: the kernel answers EINVAL, which engines expect ("not
                // mounted").
                return Verdict.proceed(what + ": not a mount point");
            }
            return verdictFor(p, caller.mountOf(fd), what);
        } catch (SysException e) {
            // The kernel would fail the same lookup; a path that escapes its start is refused
            // outright.
            return Verdict.fail(
                    e.is(Errno.EXDEV) ? Errno.EPERM : e.errno(), what + ": " + e.getMessage());
        }
    }

    private static Verdict verdictFor(ProtectedMounts p, MountInfo m, String what) {
        if (m != null && p.covers(m)) {
            return Verdict.fail(
                    Errno.EPERM, what + ": nestlet's mount at " + m.mountPoint() + " is protected");
        }
        return Verdict.proceed(what + ": not protected");
    }

    private static String readOptional(Caller caller, long address, int max) {
        return address == 0 ? null : caller.readString(address, max);
    }

    @Override
    public void close() {
        hostProc.close();
    }
}
