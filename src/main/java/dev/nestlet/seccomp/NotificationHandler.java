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
import dev.nestlet.sys.Stat;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * What nestlet does with each trapped call:
 *
 * <ul>
 *   <li>{@code mount} of a new proc or sysfs that the kernel would refuse, or would make without
 *       the masks the caller's own has: a {@link FreshMount} made by nestletd, attached on the
 *       target;
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
    private static final int MNT_DETACH = 2;
    private static final int OPEN_TREE_CLONE = 1;
    private static final int FSPICK_SYMLINK_NOFOLLOW = 2;
    private static final int FSPICK_EMPTY_PATH = 8;
    private static final int MOVE_MOUNT_F_SYMLINKS = 0x01;
    private static final int MOVE_MOUNT_F_EMPTY_PATH = 0x04;

    private final FreshMount fresh;
    private final Fd hostProc;
    private final MountLookup lookup;

    /** Call from a thread in nestletd's own mount namespace: it opens the host's /proc. */
    NotificationHandler(NamespaceWorkers workers, ProcContexts procs) {
        this.fresh = new FreshMount(workers, procs);
        this.hostProc = FileCalls.open("/proc", FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0);
        this.lookup = MountLookup.choose();
    }

    Verdict handle(NotifySession session, SeccompNotif n) throws Exception {
        TrappedCall call = TrappedCall.of(n.arch(), n.nr());
        if (call == TrappedCall.OTHER) {
            return Verdict.proceed("system call " + n.nr() + " is not one nestlet handles");
        }
        BooleanSupplier pending = () -> SeccompCalls.isValid(session.fd(), n.id());
        try (Caller caller = Caller.of(n.pid(), hostProc, lookup)) {
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
                case OPEN_TREE -> openTree(session, n, caller, pending);
                case FSOPEN -> fsopen(n, caller);
                case FSPICK -> fspick(session, n, caller, pending);
                case MOUNT_SETATTR -> mountSetattr(session, n, caller, pending);
                case OTHER -> throw new IllegalStateException();
            };
        }
    }

    private Verdict mount(
            NotifySession session, SeccompNotif n, Caller caller, BooleanSupplier pending)
            throws Exception {
        long flags = MountFlags.normalize(n.arg(3));
        if (MountFlags.continuesUnchecked(flags)) {
            return Verdict.proceed("recursive bind or propagation change");
        }
        String target = caller.readString(n.arg(1), PATH_MAX);
        if (MountFlags.isNewMount(flags)) {
            String fsType = readOptional(caller, n.arg(2), FSTYPE_MAX);
            if (fsType == null || FreshMount.homeOf(fsType) == null) {
                return Verdict.proceed("new " + fsType + " mount");
            }
            String source = readOptional(caller, n.arg(0), PATH_MAX);
            String data = readOptional(caller, n.arg(4), DATA_MAX);
            return newProcOrSysfs(session, caller, fsType, source, target, flags, data, pending);
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
        return bind(session, caller, caller.readString(n.arg(0), PATH_MAX), target, pending);
    }

    /**
     * /proc/PID/ns/NAME (or of a task, or self): what a bind pins a namespace with; and
     * /proc/PID/exe, which runc binds read-only to run itself from a sealed copy (CVE-2019-5736)
     * and copies its whole binary into a memfd when that fails.
     */
    private static final java.util.regex.Pattern MAGIC_FILE =
            java.util.regex.Pattern.compile(
                    "/proc/(self|thread-self|[0-9]+)(/task/[0-9]+)?/(ns/[a-z_]+|exe)");

    /**
     * A non-recursive bind copies one mount without what is mounted on it: a bind of /proc would
     * show the kernel's files where nestlet's virtual ones are. When nestlet's mounts sit directly
     * on the source's mount, the bind is made recursive (open_tree(OPEN_TREE_CLONE | AT_RECURSIVE)
     * in the caller's mount namespace, attached on the target) and answered as done; otherwise the
     * kernel makes the bind it was asked for.
     */
    private Verdict bind(
            NotifySession session,
            Caller caller,
            String source,
            String target,
            BooleanSupplier pending)
            throws Exception {
        ProtectedMounts p = session.protectedMounts();
        if (p.isEmpty()) {
            return Verdict.proceed("bind: nothing protected");
        }
        caller.open();
        if (!pending.getAsBoolean()) {
            return null;
        }
        if (caller.mountNamespaceIsHosts() || !caller.mayMount()) {
            return Verdict.proceed(
                    "bind: the kernel decides (host namespace or no CAP_SYS_ADMIN over it)");
        }
        if (MAGIC_FILE.matcher(source).matches()) {
            // A magic link that resolution in the caller's root refuses (self is nestletd
            // there); a namespace or an executable, never a directory with mounts to carry along.
            return Verdict.proceed("bind of " + source);
        }
        try (Fd src = caller.resolve(FileCalls.AT_FDCWD, source, true)) {
            if (!protectedWithin(p, caller, src)) {
                return Verdict.proceed("bind of " + source + ": no protected mount within it");
            }
            try (Fd at = caller.resolve(FileCalls.AT_FDCWD, target, true)) {
                fresh.bindRecursive(session.state().containerId(), caller, src, at, pending);
            }
        } catch (SysException e) {
            return Verdict.fail(
                    e.is(Errno.EXDEV) ? Errno.EPERM : e.errno(),
                    "bind " + source + ": " + e.getMessage());
        }
        return Verdict.done(
                "bind of "
                        + source
                        + " on "
                        + target
                        + " made recursive: nestlet's mounts come along");
    }

    /**
     * open_tree(OPEN_TREE_CLONE) without AT_RECURSIVE is a non-recursive bind to be: refused
     * (EPERM) when nestlet's mounts sit on the source's mount (the copy would show what they hide).
     * An fd of a mount in place (no clone) and recursive clones continue.
     */
    private Verdict openTree(
            NotifySession session, SeccompNotif n, Caller caller, BooleanSupplier pending)
            throws IOException {
        int flags = (int) n.arg(2);
        if ((flags & OPEN_TREE_CLONE) == 0 || (flags & FileCalls.AT_RECURSIVE) != 0) {
            return Verdict.proceed("open_tree without a non-recursive clone");
        }
        Target source =
                target(
                        caller,
                        (int) n.arg(0),
                        caller.readString(n.arg(1), PATH_MAX),
                        flags,
                        FileCalls.AT_EMPTY_PATH,
                        FileCalls.AT_SYMLINK_NOFOLLOW);
        ProtectedMounts p = session.protectedMounts();
        if (p.isEmpty()) {
            return Verdict.proceed("nothing protected");
        }
        caller.open();
        if (!pending.getAsBoolean()) {
            return null;
        }
        try (Fd fd = source.open()) {
            if (protectedWithin(p, caller, fd)) {
                return Verdict.fail(
                        Errno.EPERM,
                        "non-recursive open_tree clone: nestlet's mounts sit within it");
            }
            return Verdict.proceed("open_tree clone: nothing of nestlet's within");
        } catch (SysException e) {
            return Verdict.fail(
                    e.is(Errno.EXDEV) ? Errno.EPERM : e.errno(), "open_tree: " + e.getMessage());
        }
    }

    /**
     * Whether one of nestlet's mounts sits directly on the mount {@code src} is on, at or below the
     * directory {@code src} names: what a non-recursive copy of {@code src} would leave out and so
     * uncover. Found by walking up ("..") from each such mount's mount point, within that mount.
     */
    private static boolean protectedWithin(ProtectedMounts p, Caller caller, Fd src)
            throws IOException {
        int id = caller.mountIdOf(src);
        Stat target = FileCalls.fstat(src);
        if (!target.isDirectory()) {
            return false;
        }
        for (MountInfo m : p.onTopOf(caller.beneath(src), id)) {
            String point = m.mountPoint();
            String parent =
                    point.lastIndexOf('/') <= 0 ? "/" : point.substring(0, point.lastIndexOf('/'));
            Fd dir;
            try {
                dir = caller.resolve(FileCalls.AT_FDCWD, parent, false);
            } catch (SysException e) {
                return true; // cannot tell: the safe answer
            }
            try {
                for (int depth = 0; depth < 4096; depth++) {
                    Stat here = FileCalls.fstat(dir);
                    if (here.dev() == target.dev() && here.ino() == target.ino()) {
                        return true;
                    }
                    if (caller.mountIdOf(dir) != id || FileCalls.isMountRoot(dir)) {
                        break;
                    }
                    Fd up =
                            FileCalls.openat(
                                    dir, "..", FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0);
                    dir.close();
                    dir = up;
                }
            } finally {
                dir.close();
            }
        }
        return false;
    }

    /**
     * fsopen("proc") and fsopen("sysfs") would make a superblock without nestlet's mounts on it,
     * and nestlet cannot hand back an equivalent context: answered ENOSYS, as a kernel without the
     * new mount API would, so callers fall back to mount(2), which nestlet emulates with the masks
     * and virtual files in place. Every other filesystem continues.
     */
    private Verdict fsopen(SeccompNotif n, Caller caller) {
        String fsType = caller.readString(n.arg(0), FSTYPE_MAX);
        if (FreshMount.homeOf(fsType) != null) {
            return Verdict.fail(
                    Errno.ENOSYS, "fsopen(" + fsType + "): use mount(2), which nestlet emulates");
        }
        return Verdict.proceed("fsopen(" + fsType + ")");
    }

    /** fspick of one of nestlet's mounts would reconfigure it, as a remount would: refused. */
    private Verdict fspick(
            NotifySession session, SeccompNotif n, Caller caller, BooleanSupplier pending)
            throws IOException {
        int flags = (int) n.arg(2);
        Target t =
                target(
                        caller,
                        (int) n.arg(0),
                        caller.readString(n.arg(1), PATH_MAX),
                        flags,
                        FSPICK_EMPTY_PATH,
                        FSPICK_SYMLINK_NOFOLLOW);
        return refuseIfProtected(session, caller, t, "fspick", pending);
    }

    /**
     * mount_setattr of one of nestlet's mounts, or with AT_RECURSIVE of a mount they sit beneath,
     * would change their flags as a remount would: refused.
     */
    private Verdict mountSetattr(
            NotifySession session, SeccompNotif n, Caller caller, BooleanSupplier pending)
            throws IOException {
        int flags = (int) n.arg(2);
        Target t =
                target(
                        caller,
                        (int) n.arg(0),
                        caller.readString(n.arg(1), PATH_MAX),
                        flags,
                        FileCalls.AT_EMPTY_PATH,
                        FileCalls.AT_SYMLINK_NOFOLLOW);
        if ((flags & FileCalls.AT_RECURSIVE) != 0) {
            Verdict below =
                    refuseIfProtectedBeneath(
                            session, caller, t, "recursive mount_setattr", true, pending);
            if (below == null || below.kind() == Verdict.Kind.FAIL) {
                return below;
            }
        }
        return refuseIfProtected(session, caller, t, "mount_setattr", pending);
    }

    /**
     * The object a dirfd + path call names: the dirfd itself with {@code emptyPathFlag}, else the
     * path.
     */
    private static Target target(
            Caller caller, int dirfd, String path, int flags, int emptyPathFlag, int noFollowFlag) {
        if (path.isEmpty() && (flags & emptyPathFlag) != 0) {
            return () -> caller.fd(dirfd);
        }
        boolean follow = (flags & noFollowFlag) == 0;
        return () -> caller.resolve(dirfd, path, follow);
    }

    /**
     * EPERM when nestlet's mounts sit on (or, {@code anyDepth}, anywhere below) the mount {@code
     * target} is on.
     */
    private Verdict refuseIfProtectedBeneath(
            NotifySession session,
            Caller caller,
            Target target,
            String what,
            boolean anyDepth,
            BooleanSupplier pending)
            throws IOException {
        return onTarget(
                session,
                caller,
                target,
                what,
                pending,
                (p, fd) ->
                        p.beneath(caller.beneath(fd), caller.mountIdOf(fd), anyDepth)
                                ? Verdict.fail(
                                        Errno.EPERM, what + ": nestlet's mounts sit beneath it")
                                : Verdict.proceed(what + ": nothing of nestlet's beneath"));
    }

    private Verdict newProcOrSysfs(
            NotifySession session,
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
        MountInfo template = FreshMount.template(caller, fsType);
        if (template == null) {
            return Verdict.proceed(
                    "caller has no " + fsType + " at " + FreshMount.homeOf(fsType) + " to copy");
        }
        // Where the caller owns its network namespace the kernel would mount a sysfs too, but a
        // bare one: nestlet's copies the masks. It never grants more than the kernel would:
        // read-write needs a read-write /sys to copy (the kernel's "not more permissive than a
        // visible mount" rule).
        if (fsType.equals("sysfs")
                && (flags & MountCalls.MS_RDONLY) == 0
                && caller.owns(netNs)
                && FreshMount.readOnly(template)) {
            return Verdict.proceed("read-write sysfs over a read-only /sys: the kernel refuses it");
        }
        // A read-only /proc or /sys (the engine's) stays read-only in every copy the container
        // makes: the kernel would refuse a read-write one where the container's own is locked
        // read-only.
        long mountAttrs =
                attrs.getAsLong()
                        | (FreshMount.readOnly(template) ? MountCalls.MOUNT_ATTR_RDONLY : 0);
        try (Fd at = caller.resolve(FileCalls.AT_FDCWD, target, true)) {
            Fd context = fresh.context(caller.tid(), fsType, pidNs, netNs, source, data);
            try (context) {
                fresh.attach(
                        session.state().containerId(),
                        caller,
                        context,
                        template,
                        mountAttrs,
                        at,
                        pending);
            }
        }
        return Verdict.done(fsType + " mounted on " + target + " for " + caller.tid());
    }

    /**
     * umount of one of nestlet's mounts is refused; so is a lazy umount (MNT_DETACH) of a mount
     * they sit anywhere below (`umount -l /proc` would take the virtual files away with it), unless
     * that mount is the caller's root (a runtime dropping its old root after pivot_root hides
     * everything below it, it uncovers nothing). A plain umount of such an ancestor gets the
     * kernel's EBUSY.
     */
    private Verdict umount(
            NotifySession session, Caller caller, String target, int flags, BooleanSupplier pending)
            throws IOException {
        boolean follow = (flags & UMOUNT_NOFOLLOW) == 0;
        Target t = () -> caller.resolve(FileCalls.AT_FDCWD, target, follow);
        if ((flags & MNT_DETACH) != 0) {
            Verdict below = refuseIfAncestor(session, caller, t, "umount -l " + target, pending);
            if (below == null || below.kind() == Verdict.Kind.FAIL) {
                return below;
            }
        }
        return refuseIfProtected(session, caller, t, "umount " + target, pending);
    }

    private Verdict refuseIfAncestor(
            NotifySession session,
            Caller caller,
            Target target,
            String what,
            BooleanSupplier pending)
            throws IOException {
        return atMountPoint(
                session,
                caller,
                target,
                what,
                pending,
                (p, fd) -> {
                    MountInfo m = caller.mountOf(fd);
                    boolean root = m != null && m.mountPoint().equals("/");
                    if (m != null && !root && p.beneath(caller.beneath(fd), m.id(), true)) {
                        return Verdict.fail(Errno.EPERM, what + ": nestlet's mounts sit below it");
                    }
                    return Verdict.proceed(what + ": nothing of nestlet's below");
                });
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
        return atMountPoint(
                session,
                caller,
                target,
                what,
                pending,
                (p, fd) -> verdictFor(p, caller.mountOf(fd), what));
    }

    /** What to answer for a call on the mount whose root {@code fd} is. */
    private interface MountCheck {
        Verdict decide(ProtectedMounts p, Fd fd) throws IOException;
    }

    /**
     * The check of a call on a mount point: a target that is not one lets the kernel decide (it
     * answers EINVAL, which engines expect: "not mounted"); else {@code check} does.
     */
    private Verdict atMountPoint(
            NotifySession session,
            Caller caller,
            Target target,
            String what,
            BooleanSupplier pending,
            MountCheck check)
            throws IOException {
        return onTarget(
                session,
                caller,
                target,
                what,
                pending,
                (p, fd) ->
                        FileCalls.isMountRoot(fd)
                                ? check.decide(p, fd)
                                : Verdict.proceed(what + ": not a mount point"));
    }

    /**
     * The common part of every check of a call on a mount: nothing protected lets the kernel
     * decide; else {@code check} does with the target opened as the caller sees it. Null when the
     * notification is gone.
     */
    private Verdict onTarget(
            NotifySession session,
            Caller caller,
            Target target,
            String what,
            BooleanSupplier pending,
            MountCheck check)
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
            return check.decide(p, fd);
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
