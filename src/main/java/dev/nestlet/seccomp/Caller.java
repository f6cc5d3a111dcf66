package dev.nestlet.seccomp;

import dev.nestlet.proc.MountInfo;
import dev.nestlet.proc.MountTable;
import dev.nestlet.proc.ProcStatus;
import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.MountStat;
import dev.nestlet.sys.NsCalls;
import dev.nestlet.sys.PidCalls;
import dev.nestlet.sys.Stat;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The thread a notification stopped, seen from nestletd: its memory, and once {@link #open()} ran,
 * its root, cwd and namespaces held as fds opened through /proc/TID and its capabilities. The
 * handler opens them before it checks that the notification is still pending, so after that check
 * every fd here is known to be the caller's and not a process that reused its pid.
 */
final class Caller implements AutoCloseable {
    private static final Pattern OWN_FD =
            Pattern.compile("/proc/(?:self|thread-self)/fd/([0-9]{1,9})");
    private static final int CAP_SYS_ADMIN = 21;
    private static final long RESOLVE_ROOTED =
            FileCalls.RESOLVE_IN_ROOT | FileCalls.RESOLVE_NO_MAGICLINKS;
    private static final long RESOLVE_RELATIVE =
            FileCalls.RESOLVE_BENEATH | FileCalls.RESOLVE_NO_MAGICLINKS;

    private final int tid;
    private final Fd hostProc;
    private final MountLookup lookup;
    private MountTable table;
    private final List<Fd> owned = new ArrayList<>();
    private Fd root;
    private Fd cwd;
    private Fd mountNs;
    private Fd userNs;
    private Fd pidfd;
    private long capEff;

    private Caller(int tid, Fd hostProc, MountLookup lookup) {
        this.tid = tid;
        this.hostProc = hostProc;
        this.lookup = lookup;
    }

    /**
     * A view of thread {@code tid} that opens nothing yet: reading its memory needs no fd. Call
     * {@link #open()} before anything else, then check that the notification is still pending.
     * {@code hostProc} is an fd of nestletd's own /proc, usable from any mount namespace; {@code
     * lookup} is how {@link #mountOf} and {@link #beneath} find mounts.
     */
    static Caller of(int tid, Fd hostProc, MountLookup lookup) {
        return new Caller(tid, hostProc, lookup);
    }

    /** Opens the caller's root, cwd, namespaces and a pidfd; throws when it is already gone. */
    Caller open() throws IOException {
        if (root != null) {
            return this;
        }
        String base = "/proc/" + tid;
        root = own(FileCalls.open(base + "/root", FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0));
        cwd = own(FileCalls.open(base + "/cwd", FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0));
        mountNs = own(FileCalls.open(base + "/ns/mnt", FileCalls.O_RDONLY, 0));
        userNs = own(FileCalls.open(base + "/ns/user", FileCalls.O_RDONLY, 0));
        ProcStatus status = ProcStatus.of(tid);
        capEff = status.capEff(capEff);
        pidfd = own(PidCalls.pidfdOpen(status.tgid(tid)));
        return this;
    }

    private Fd own(Fd fd) {
        owned.add(fd);
        return fd;
    }

    int tid() {
        return tid;
    }

    Fd root() {
        return root;
    }

    Fd mountNamespace() {
        return mountNs;
    }

    /** A pidfd of the caller's process (its thread group). */
    Fd pidfd() {
        return pidfd;
    }

    /** An fd of one of the caller's namespaces ("net", "pid"...), owned by this view. */
    Fd namespace(String type) {
        return own(FileCalls.open("/proc/" + tid + "/ns/" + type, FileCalls.O_RDONLY, 0));
    }

    /** The caller's mount table, mount points relative to its root. */
    MountTable mounts() throws IOException {
        return MountTable.of(tid);
    }

    /**
     * A NUL-terminated string of at most {@code max} bytes at {@code address} of the caller's
     * memory. Throws EFAULT when it cannot be read, ENAMETOOLONG when it is longer.
     */
    String readString(long address, int max) {
        if (address == 0) {
            throw new SysException("read string", Errno.EFAULT, "NULL");
        }
        byte[] b = PidCalls.readMemory(tid, address, max);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return new String(b, 0, i, StandardCharsets.UTF_8);
            }
        }
        throw new SysException(
                "read string",
                b.length == max ? Errno.ENAMETOOLONG : Errno.EFAULT,
                "at 0x" + Long.toHexString(address) + " of " + tid);
    }

    /** True when CAP_SYS_ADMIN is in the caller's effective set (of its own user namespace). */
    boolean hasSysAdmin() {
        return (capEff & (1L << CAP_SYS_ADMIN)) != 0;
    }

    /** True when the caller's user namespace owns {@code ns} (an nsfs fd). */
    boolean owns(Fd ns) {
        try (Fd owner = NsCalls.owningUserns(ns)) {
            return sameObject(owner, userNs);
        }
    }

    /** True when the caller's mount namespace belongs to nestletd's user namespace (the host's). */
    boolean mountNamespaceIsHosts() {
        try (Fd owner = NsCalls.owningUserns(mountNs);
                Fd initial = FileCalls.open("/proc/thread-self/ns/user", FileCalls.O_RDONLY, 0)) {
            return sameObject(owner, initial);
        }
    }

    /**
     * What the kernel checks before any mount or umount: CAP_SYS_ADMIN over the caller's mount
     * namespace.
     */
    boolean mayMount() {
        return hasSysAdmin() && owns(mountNs);
    }

    /**
     * An fd of what {@code path} names for the caller: absolute paths from its root
     * (RESOLVE_IN_ROOT: no symlink or ".." leaves it), relative ones from {@code dirFd} (its cwd
     * when {@code dirFd} is AT_FDCWD) and never above it, {@code /proc/self/fd/N} as the caller's
     * own fd N. Magic links elsewhere are refused, and so is a relative path that climbs out
     * (EXDEV).
     */
    Fd resolve(int dirFd, String path, boolean followLast) {
        Matcher own = OWN_FD.matcher(path);
        if (own.matches()) {
            return PidCalls.pidfdGetfd(pidfd, Integer.parseInt(own.group(1)));
        }
        if (path.isEmpty()) {
            throw new SysException("resolve", Errno.ENOENT, "empty path");
        }
        int flags = FileCalls.O_PATH | (followLast ? 0 : FileCalls.O_NOFOLLOW);
        if (path.startsWith("/")) {
            return FileCalls.openat2(root, path, flags, 0, RESOLVE_ROOTED);
        }
        if (dirFd == FileCalls.AT_FDCWD) {
            return FileCalls.openat2(cwd, path, flags, 0, RESOLVE_RELATIVE);
        }
        try (Fd dir = PidCalls.pidfdGetfd(pidfd, dirFd)) {
            return FileCalls.openat2(dir, path, flags, 0, RESOLVE_RELATIVE);
        }
    }

    /** The caller's own fd {@code n} (pidfd_getfd). */
    Fd fd(int n) {
        return PidCalls.pidfdGetfd(pidfd, n);
    }

    /**
     * The mount {@code fd} is on as the caller's mount table would show it, or null when it is not
     * in the caller's mount namespace. With STATMOUNT its mount point is from the root of that
     * namespace (mountinfo's is from the caller's root: the same unless the caller is chrooted) and
     * its options are only ro/rw and the MOUNT_ATTR_* flags.
     */
    MountInfo mountOf(Fd fd) throws IOException {
        if (lookup == MountLookup.MOUNTINFO) {
            return table().byId(mountIdOf(fd)).orElse(null);
        }
        try {
            return line(MountCalls.statmount(FileCalls.uniqueMountId(fd), mountNs));
        } catch (SysException e) {
            if (e.is(Errno.ENOENT)) {
                return null;
            }
            throw e;
        }
    }

    /**
     * At least every mount beneath the mount {@code fd} is on, at any depth: with STATMOUNT exactly
     * those (listmount; none for a leaf such as a fresh tmpfs), with MOUNTINFO the caller's whole
     * table.
     */
    List<MountInfo> beneath(Fd fd) throws IOException {
        if (lookup == MountLookup.MOUNTINFO) {
            return table().all();
        }
        long[] ids;
        try {
            ids = MountCalls.listmount(FileCalls.uniqueMountId(fd), mountNs);
        } catch (SysException e) {
            if (e.is(Errno.ENOENT)) {
                return List.of();
            }
            throw e;
        }
        List<MountInfo> out = new ArrayList<>(ids.length);
        for (long id : ids) {
            try {
                out.add(line(MountCalls.statmount(id, mountNs)));
            } catch (SysException e) {
                if (!e.is(Errno.ENOENT)) { // unmounted since the list was taken: gone, skip it
                    throw e;
                }
            }
        }
        return out;
    }

    /** The caller's table, read once for all the questions of one notification. */
    private MountTable table() throws IOException {
        if (table == null) {
            table = mounts();
        }
        return table;
    }

    private static MountInfo line(MountStat s) {
        return new MountInfo(
                s.oldId(),
                s.oldParent(),
                s.root(),
                s.mountPoint(),
                MountFlags.optionsOf(s.attributes()),
                s.fsType(),
                s.source(),
                "");
    }

    /** The mount id of {@code fd}; works from a namespace worker too. */
    int mountIdOf(Fd fd) {
        return FileCalls.mountIdOf(hostProc, fd);
    }

    /**
     * True when both fds refer to the same object (same device and inode: for nsfs, the same
     * namespace).
     */
    static boolean sameObject(Fd a, Fd b) {
        Stat x = FileCalls.fstat(a);
        Stat y = FileCalls.fstat(b);
        return x.dev() == y.dev() && x.ino() == y.ino();
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
    }
}
