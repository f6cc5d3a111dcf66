package dev.nestlet.vfs;

import dev.nestlet.cgroup.CgroupLocator;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.fault.CrashPoint;
import dev.nestlet.fdstore.FdStore;
import dev.nestlet.lifecycle.ConfigBind;
import dev.nestlet.lifecycle.ConfigMounts;
import dev.nestlet.lifecycle.ContainerAccess;
import dev.nestlet.lifecycle.Feature;
import dev.nestlet.ns.NamespaceTask;
import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.ns.RootedPaths;
import dev.nestlet.proc.MountInfo;
import dev.nestlet.proc.MountTable;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.LiveContainer;
import dev.nestlet.state.Registry;
import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.SysException;
import dev.nestlet.vfs.fuse.FuseProtocol;
import dev.nestlet.vfs.fuse.FuseServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Virtual /proc and /sys files as a lifecycle feature. At createRuntime the container gets a view
 * (its cgroup, its init's start time, its sysctl values) and each of its files, {@code
 * MOUNT/ID/proc/meminfo}..., is bound over the kernel's file inside its mount namespace: read-only,
 * but for its sysctls. Through nestlet-runtime the runtime has bound all but the sysctls already,
 * from the config.json prepare wrote ({@link #configBinds}). At release the view and the saved
 * sysctl values go; the binds go with the container's mount namespace. When nestletd stops it takes
 * the binds away, so running containers fall back to the kernel's files instead of "Transport
 * endpoint is not connected"; a restarted nestletd binds them again ({@link #reattach}).
 */
public final class VirtualFiles implements Feature, ConfigMounts, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VirtualFiles.class.getName());
    private static final long BIND_ATTRS =
            MountCalls.MOUNT_ATTR_NOSUID
                    | MountCalls.MOUNT_ATTR_NODEV
                    | MountCalls.MOUNT_ATTR_NOEXEC;

    /** {@link #BIND_ATTRS} and read-only, as config.json asks for them. */
    private static final List<String> CONFIG_OPTIONS =
            List.of("bind", "ro", "nosuid", "nodev", "noexec");

    private final VirtualFs fs;
    private final FuseServer server;
    private final LoadSampler sampler;
    private final CgroupLocator cgroups;
    private final Sysctls sysctls;
    private final NodeBases bases;

    /** Containers prepared for nestlet-runtime and not yet at createRuntime. */
    private final ConcurrentMap<String, PreparedView> prepared = new ConcurrentHashMap<>();

    private VirtualFiles(
            VirtualFs fs,
            FuseServer server,
            CgroupLocator cgroups,
            Sysctls sysctls,
            NodeBases bases) {
        this.fs = fs;
        this.server = server;
        this.bases = bases;
        this.cgroups = cgroups;
        this.sysctls = sysctls;
        this.sampler =
                new LoadSampler(() -> fs.views().stream().filter(v -> !v.pending()).toList());
    }

    /** Mounts the FUSE file system at {@code mountPoint} and starts serving it. */
    public static VirtualFiles start(Path mountPoint, int threads, Sysctls sysctls)
            throws IOException {
        VirtualFiles v =
                start(mountPoint, VfsLimits.of(threads), sysctls, FdStore.none(), Map.of());
        v.resume();
        return v;
    }

    /**
     * Takes over the FUSE connection kept in {@code store} if its mount is still in place, else
     * mounts a fresh one (and keeps its fds there). A fresh one is served at once (re-binding into
     * running containers needs it); a taken-over one from {@link #resume()} on, once every running
     * container's view is back with its old node ids (readers wait in the kernel meanwhile).
     */
    public static VirtualFiles start(
            Path mountPoint, VfsLimits limits, Sysctls sysctls, FdStore store, Map<String, Fd> kept)
            throws IOException {
        List<VirtualFile> files = new ArrayList<>(VirtualFs.allFiles());
        files.addAll(sysctls.files());
        VirtualFs fs = new VirtualFs(files, new HostFiles(Path.of("/")), limits.snapshots());
        NodeBases bases =
                new NodeBases(mountPoint.resolveSibling(mountPoint.getFileName() + "-nodes"));
        // Fresh ids start above every recorded subtree and above anything an earlier nestletd could
        // have handed out (it would need 65536 new nodes per millisecond of its life to get here).
        fs.reserve(Math.max(bases.end(), System.currentTimeMillis() << 16));
        CgroupLocator cgroups = CgroupLocator.ofHost();
        FuseServer server =
                FuseServer.open(
                        mountPoint,
                        fs,
                        limits.threads(),
                        limits.inFlightPerContainer(),
                        limits.cpuBudget(),
                        store,
                        kept);
        VirtualFiles v = new VirtualFiles(fs, server, cgroups, sysctls, bases);
        if (!server.adopted()) {
            server.start();
        }
        return v;
    }

    /** Starts serving (a no-op if serving already). */
    public void resume() {
        server.start();
    }

    /**
     * Stops serving the FUSE connection for a nestletd that takes it over; the connection and its
     * binds in containers stay (see {@link FuseServer#handOver()}).
     */
    public void handOver() {
        sampler.close();
        server.handOver();
    }

    /**
     * Has the kernel send again what the previous nestletd's readers took and never answered: after
     * a hand-over, once that process is gone.
     */
    public void resendUnanswered() {
        server.resendUnanswered();
    }

    /** Whether the FUSE connection was taken over from a previous nestletd. */
    public boolean adopted() {
        return server.adopted();
    }

    @Override
    public String name() {
        return "virtual files";
    }

    @Override
    public CrashPoint crashPoint() {
        return CrashPoint.FEATURE_VIRTUAL_FILES;
    }

    /**
     * The files of a prepared container that the runtime can bind itself: its view is added now, as
     * a stand-in that reads empty, so that the sources exist when the runtime mounts them; its
     * createRuntime makes it the container's, under the same node ids. Left to createRuntime: the
     * sysctls (runc refuses a bind below /proc/sys, and a network one must be bound from inside the
     * container's network namespace) and the files whose node ids depend on them
     * (/sys/devices/system/cpu/online comes after /proc/sys in the tree).
     */
    @Override
    public List<ConfigBind> configBinds(String id, Predicate<String> present) {
        ContainerView view = ContainerView.pending(id);
        long base = fs.add(view, -1);
        List<ConfigBind> binds = new ArrayList<>();
        for (VirtualFile f : fs.numberedAlikeInEveryView(view)) {
            if (present.test(f.path())) {
                binds.add(
                        new ConfigBind(
                                f.path(),
                                VirtualFs.pathOf(server.mountPoint(), id, f),
                                CONFIG_OPTIONS));
            }
        }
        prepared.put(
                id, new PreparedView(base, binds.stream().map(ConfigBind::destination).toList()));
        return binds;
    }

    @Override
    public ContainerRecord createRuntime(ContainerRecord rec, ContainerAccess access)
            throws Exception {
        PreparedView given = prepared.remove(rec.id());
        try {
            ContainerView view = addView(rec, access, given == null ? -1 : given.base());
            List<VirtualFile> left =
                    fs.filesOf(view).stream()
                            .filter(f -> given == null || !given.bound().contains(f.path()))
                            .toList();
            return rec.withMoreMounts(bind(rec, left, access, access.rootfs().toString()));
        } catch (Exception e) {
            fs.remove(rec.id());
            try {
                bases.remove(rec.id());
                sysctls.release(rec.id());
            } catch (IOException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /**
     * On a taken-over FUSE connection the binds in the container are alive: the view comes back
     * with the node ids they carry, and nothing is bound again. Otherwise the previous nestletd's
     * binds are dead (its FUSE connection ended with it): they are replaced.
     */
    @Override
    public ContainerRecord reattach(ContainerRecord rec, ContainerAccess access) throws Exception {
        java.util.OptionalLong base = bases.base(rec.id());
        if (server.adopted() && base.isPresent()) {
            addView(rec, access, base.getAsLong());
            return rec;
        }
        ContainerView view = addView(rec, access, -1);
        unbind(rec.pid(), access::inMountAndNetworkNamespaces);
        // After pivot_root the namespace's root is the container's root: paths resolve from "/".
        bind(rec, fs.filesOf(view), access, "/");
        return rec;
    }

    /**
     * The container's files count from its init's start, read the cgroup its init is in now and
     * show its sysctl values (saved ones after a restart).
     */
    private ContainerView addView(ContainerRecord rec, ContainerAccess access, long base)
            throws Exception {
        ContainerView view =
                new ContainerView(
                        rec.id(),
                        rec.pidStartTime(),
                        cgroups.forProcess(rec.pid()),
                        sysctls.of(rec, access.pidfd()));
        long first = fs.add(view, base);
        long count = fs.nodeCount(rec.id());
        bases.put(rec.id(), first, count);
        return view;
    }

    @Override
    public void release(ContainerRecord rec) throws IOException {
        prepared.remove(rec.id());
        fs.remove(rec.id());
        server.invalidateEntry(FuseProtocol.ROOT_ID, rec.id());
        sysctls.release(rec.id());
        bases.remove(rec.id());
    }

    /**
     * Saved sysctl values and recorded node ids are what this feature keeps of a container on the
     * host.
     */
    @Override
    public Set<String> leftoverIds() throws IOException {
        Set<String> ids = new java.util.HashSet<>(sysctls.savedIds());
        ids.addAll(bases.ids());
        return ids;
    }

    @Override
    public void removeLeftovers(String id) throws IOException {
        sysctls.release(id);
        bases.remove(id);
    }

    /**
     * Binds every file of the container that has a target inside it: a target missing there (no
     * /sys mounted, a sysctl of a module that is not loaded) is left out. Targets resolve inside
     * the container's root, never through a symlink out of it, and from inside its network
     * namespace: a /proc/sys/net path names that namespace's file only there. Each side is walked
     * once per directory, not once per file: the sources from the view's directory, opened once,
     * the targets from their parent directories, opened once each.
     */
    private List<String> bind(
            ContainerRecord rec,
            List<VirtualFile> files,
            ContainerAccess access,
            String rootInNamespace)
            throws Exception {
        if (files.isEmpty()) {
            return List.of();
        }
        List<Fd> trees = new ArrayList<>();
        try {
            try (Fd viewDir =
                    FileCalls.open(
                            server.mountPoint().resolve(rec.id()).toString(),
                            FileCalls.O_PATH | FileCalls.O_DIRECTORY,
                            0)) {
                for (VirtualFile f : files) {
                    Fd tree = MountCalls.openTreeCloneAt(viewDir, f.path().substring(1));
                    trees.add(tree);
                    long readOnly = f instanceof WritableFile ? 0 : MountCalls.MOUNT_ATTR_RDONLY;
                    MountCalls.setAttr(tree, false, BIND_ATTRS | readOnly, 0, -1);
                }
            }
            return access.inMountAndNetworkNamespaces(
                    () -> {
                        List<String> bound = new ArrayList<>();
                        Map<String, Optional<Fd>> parents = new HashMap<>();
                        try (Fd root =
                                FileCalls.open(
                                        rootInNamespace,
                                        FileCalls.O_PATH | FileCalls.O_DIRECTORY,
                                        0)) {
                            for (int i = 0; i < files.size(); i++) {
                                String path = files.get(i).path();
                                try (Fd target = target(root, parents, path, rec.id())) {
                                    if (target != null) {
                                        MountCalls.moveMount(trees.get(i), target);
                                        bound.add(path);
                                    }
                                }
                            }
                        } finally {
                            parents.values().forEach(dir -> dir.ifPresent(Fd::close));
                        }
                        return bound;
                    });
        } finally {
            trees.forEach(Fd::close);
        }
    }

    /**
     * The regular file {@code path} inside the container, or null if it or its directory is
     * missing. Its directory is resolved in the container's root once ({@code parents} keeps it)
     * and the name from there, where it cannot lead out of the root either.
     */
    private static Fd target(Fd root, Map<String, Optional<Fd>> parents, String path, String id) {
        int slash = path.lastIndexOf('/');
        Optional<Fd> fd =
                parents.computeIfAbsent(
                                path.substring(0, slash),
                                dir -> unlessMissing(() -> RootedPaths.openDir(root, dir)))
                        .flatMap(
                                dir ->
                                        unlessMissing(
                                                () ->
                                                        RootedPaths.openFile(
                                                                dir, path.substring(slash + 1))));
        if (fd.isEmpty()) {
            LOG.info(id + " has no " + path + "; it keeps none");
            return null;
        }
        if (!FileCalls.fstat(fd.get()).isRegular()) {
            fd.get().close();
            throw new NestletException(
                    ErrorCode.UNSAFE_PATH, path + " inside " + id + " is not a regular file");
        }
        return fd.get();
    }

    /** The fd {@code open} returns, or none where it fails with ENOENT. */
    private static Optional<Fd> unlessMissing(Supplier<Fd> open) {
        try {
            return Optional.of(open.get());
        } catch (SysException e) {
            if (e.is(Errno.ENOENT)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Runs a task in one container's mount and network namespaces. */
    private interface Inside {
        void run(NamespaceTask<Void> task) throws Exception;
    }

    /**
     * Unmounts, inside the container, every mount of a nestlet FUSE file system (this one's or a
     * dead one's) that a path still reaches. A runtime that binds /proc/sys read-only after
     * createRuntime (runc, for an engine's readonlyPaths) copies the sysctl binds onto its bind and
     * leaves the originals underneath, unreachable: their paths end on the copies' mount point
     * (EINVAL once the copies are gone), and they go with the container's mount namespace.
     */
    private static void unbind(int pid, Inside inside) throws Exception {
        List<String> points = ours(pid);
        if (!points.isEmpty()) {
            inside.run(
                    () -> {
                        for (int i = points.size() - 1; i >= 0; i--) {
                            try {
                                MountCalls.umount2(
                                        points.get(i),
                                        MountCalls.MNT_DETACH | MountCalls.UMOUNT_NOFOLLOW);
                            } catch (SysException e) {
                                if (!e.is(Errno.EINVAL)) {
                                    throw e;
                                }
                            }
                        }
                        return null;
                    });
        }
    }

    /**
     * Mount points (relative to the init's root) of nestlet FUSE mounts in the init's mount
     * namespace.
     */
    private static List<String> ours(int pid) throws IOException {
        return MountTable.of(pid).ofType(FuseServer.FS_TYPE).stream()
                .map(MountInfo::mountPoint)
                .toList();
    }

    /**
     * Before nestletd stops: takes the binds out of every running container, so they read the
     * kernel's files until a new nestletd binds them again, rather than a dead FUSE connection.
     */
    public void detachAll(Registry registry, NamespaceWorkers workers) {
        for (LiveContainer c : registry.all()) {
            if (fs.view(c.record().id()).isEmpty() || !c.initAlive()) {
                continue;
            }
            try {
                unbind(
                        c.record().pid(),
                        task ->
                                workers.inMountAndNetworkNamespaces(
                                        c.record().id(), c.pidfd(), task));
            } catch (Exception e) {
                LOG.warning(
                        "cannot take virtual files out of "
                                + c.record().id()
                                + ": "
                                + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        sampler.close();
        server.close();
    }
}
