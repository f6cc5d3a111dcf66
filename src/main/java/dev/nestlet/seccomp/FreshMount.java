package dev.nestlet.seccomp;

import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.proc.MountInfo;
import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.NsCalls;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * A new proc or sysfs for a caller the kernel would refuse one, made by nestletd and attached where
 * the caller asked.
 *
 * <p>The superblock is the one the kernel would have made: proc for the caller's pid namespace
 * ({@link ProcContexts}), sysfs for its network namespace (fsopen from a thread that joined it). It
 * never shows more than the caller already sees: every mount stacked on the caller's own /proc (or
 * /sys) — masked paths, read-only paths, nestlet's virtual files — is cloned onto the new tree at
 * the same place, with its own flags, before the tree is attached. The requested
 * nosuid/nodev/noexec/ro flags apply to the new mount itself, as the kernel would apply them (nodev
 * on a mask, a bind of /dev/null, would break it). Attaching is one move_mount onto an O_PATH fd of
 * the target, in the caller's mount namespace, so nothing is ever mounted outside it.
 */
final class FreshMount {
    private static final Logger LOG = Logger.getLogger(FreshMount.class.getName());
    private static final long RESOLVE_INSIDE =
            FileCalls.RESOLVE_BENEATH | FileCalls.RESOLVE_NO_MAGICLINKS;

    private final NamespaceWorkers workers;
    private final ProcContexts procs;

    FreshMount(NamespaceWorkers workers, ProcContexts procs) {
        this.workers = workers;
        this.procs = procs;
    }

    /** The canonical place of a filesystem type in a container ("/proc", "/sys"), or null. */
    static String homeOf(String fsType) {
        return switch (fsType) {
            case "proc" -> "/proc";
            case "sysfs" -> "/sys";
            default -> null;
        };
    }

    /**
     * The caller's own mount of {@code fsType} at its home, the template whose stacked mounts the
     * new one copies; null when the caller has none (then the kernel's answer stands).
     */
    static MountInfo template(Caller caller, String fsType) throws IOException {
        String home = homeOf(fsType);
        try (Fd fd = caller.resolve(FileCalls.AT_FDCWD, home, true)) {
            MountInfo m = caller.mountOf(fd);
            if (m == null
                    || !m.fsType().equals(fsType)
                    || !m.root().equals("/")
                    || !m.mountPoint().equals(home)) {
                return null;
            }
            return m;
        } catch (SysException e) {
            return null;
        }
    }

    /** Whether the template mount is read-only (its per-mount options say "ro"). */
    static boolean readOnly(MountInfo template) {
        return ("," + template.options() + ",").contains(",ro,");
    }

    /**
     * Mounts stacked directly on {@code template}, in mount order, with their paths relative to it.
     */
    static List<MountInfo> stackedOn(List<MountInfo> mounts, MountInfo template) {
        List<MountInfo> out = new ArrayList<>();
        for (MountInfo m : mounts) {
            if (m.parent() == template.id()
                    && m.id() != template.id()
                    && m.mountPoint().startsWith(template.mountPoint() + "/")) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * Makes the new superblock with this thread's credentials: proc for the pid namespace {@code
     * pidNs} of the thread {@code tid}, or sysfs for the network namespace {@code netNs}. {@code
     * options} are the caller's comma-separated mount data.
     */
    Fd context(int tid, String fsType, Fd pidNs, Fd netNs, String source, String options)
            throws IOException, InterruptedException {
        Fd ctx;
        if (fsType.equals("sysfs")) {
            ctx = inNetworkNamespace(netNs, () -> MountCalls.fsopen("sysfs"));
        } else {
            ctx = procs.open(tid, pidNs);
        }
        try {
            if (source != null && !source.isEmpty()) {
                MountCalls.fsconfig(ctx, "source", source);
            }
            if (options != null) {
                for (String opt : options.split(",")) {
                    if (opt.isEmpty()) {
                        continue;
                    }
                    int eq = opt.indexOf('=');
                    MountCalls.fsconfig(
                            ctx,
                            eq < 0 ? opt : opt.substring(0, eq),
                            eq < 0 ? null : opt.substring(eq + 1));
                }
            }
            return ctx;
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    private interface NetStep<T> {
        T run();
    }

    /**
     * Runs {@code step} with this thread in {@code netNs}, then back in its own network namespace.
     */
    @SuppressWarnings(
            "Finally") // failing to return is fatal for the thread: it must win over the step's
    // result
    private static <T> T inNetworkNamespace(Fd netNs, NetStep<T> step) {
        try (Fd home = FileCalls.open("/proc/thread-self/ns/net", FileCalls.O_RDONLY, 0)) {
            NsCalls.setns(netNs, NsCalls.CLONE_NEWNET);
            try {
                return step.run();
            } finally {
                try {
                    NsCalls.setns(home, NsCalls.CLONE_NEWNET);
                } catch (SysException e) {
                    // A thread stuck in a container's network namespace must not serve anything
                    // else.
                    throw new InternalError("cannot return to nestletd's network namespace", e);
                }
            }
        }
    }

    /**
     * Builds the tree from {@code context} (consumed) and the caller's {@code template} and
     * attaches it on {@code target}, all in the caller's mount namespace, as work of container
     * {@code owner}; {@code beforeAttach} is checked last (the notification is still valid) and
     * aborts with ESRCH when false.
     */
    void attach(
            String owner,
            Caller caller,
            Fd context,
            MountInfo template,
            long attrs,
            Fd target,
            java.util.function.BooleanSupplier beforeAttach)
            throws Exception {
        List<MountInfo> all = stackedOn(caller.mounts().all(), template);
        MountCalls.fsconfigCreate(context);
        try (Fd tree = MountCalls.fsmount(context, attrs)) {
            // A mount on an empty directory hides nothing (the kernel's own rule for
            // "fully visible" proc and sysfs): cgroup, debugfs, bpf... are not copied.
            List<MountInfo> stacked =
                    all.stream().filter(m -> !coversEmptyDirectory(tree, m, template)).toList();
            // In the caller's network namespace too: /proc/sys/net resolves per looking thread, and
            // nestlet's
            // virtual net sysctls are bound on the caller's network namespace's entries.
            workers.inMountAndNetworkNamespaces(
                    owner,
                    caller.pidfd(),
                    () -> {
                        for (MountInfo m : stacked) {
                            copyStacked(caller, m, template, tree);
                        }
                        if (!beforeAttach.getAsBoolean()) {
                            throw new SysException(
                                    "move_mount", Errno.ESRCH, "caller gone before attach");
                        }
                        MountCalls.moveMount(tree, target);
                        return null;
                    });
        }
    }

    /**
     * A recursive bind of {@code source} on {@code target}, both fds of the caller's view, made in
     * the caller's mount namespace ({@code owner} and {@code beforeAttach} as for {@link #attach}).
     */
    void bindRecursive(
            String owner,
            Caller caller,
            Fd source,
            Fd target,
            java.util.function.BooleanSupplier beforeAttach)
            throws Exception {
        workers.inMountAndNetworkNamespaces(
                owner,
                caller.pidfd(),
                () -> {
                    try (Fd copy = MountCalls.openTreeClone(source, true)) {
                        if (!beforeAttach.getAsBoolean()) {
                            throw new SysException(
                                    "move_mount", Errno.ESRCH, "caller gone before attach");
                        }
                        MountCalls.moveMount(copy, target);
                    }
                    return null;
                });
    }

    /**
     * True when the place of {@code m} in the new tree is an empty directory (seen through host
     * /proc).
     */
    private static boolean coversEmptyDirectory(Fd tree, MountInfo m, MountInfo template) {
        String rel = m.mountPoint().substring(template.mountPoint().length() + 1);
        java.nio.file.Path p = java.nio.file.Path.of("/proc/self/fd/" + tree.get()).resolve(rel);
        if (!java.nio.file.Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (java.util.stream.Stream<java.nio.file.Path> entries = java.nio.file.Files.list(p)) {
            return entries.findAny().isEmpty();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Clones the mount {@code m} stacked on the caller's template (with what is below it) onto the
     * new tree.
     */
    private static void copyStacked(Caller caller, MountInfo m, MountInfo template, Fd tree) {
        String rel = m.mountPoint().substring(template.mountPoint().length() + 1);
        try (Fd at = caller.resolve(FileCalls.AT_FDCWD, m.mountPoint(), false)) {
            if (caller.mountIdOf(at) != m.id()) {
                if (template.fsType().equals("proc") && rel.startsWith("sys/net/")) {
                    // Bound on another network namespace's sysctl: invisible to this caller,
                    // nothing to copy.
                    LOG.fine(
                            m.mountPoint()
                                    + " belongs to another network namespace's /proc/sys/net");
                    return;
                }
                throw new SysException(
                        "open_tree", Errno.EAGAIN, m.mountPoint() + " changed while copying");
            }
            Fd dest;
            try {
                dest =
                        FileCalls.openat2(
                                tree,
                                rel,
                                FileCalls.O_PATH | FileCalls.O_NOFOLLOW,
                                0,
                                RESOLVE_INSIDE);
            } catch (SysException e) {
                if (e.is(Errno.ENOENT)) {
                    LOG.fine(
                            rel
                                    + " does not exist in the new "
                                    + template.fsType()
                                    + ": nothing to cover");
                    return;
                }
                throw e;
            }
            try (Fd copy = MountCalls.openTreeClone(at, true);
                    Fd d = dest) {
                MountCalls.moveMount(copy, d);
            }
        }
    }
}
