package dev.nestlet.vfs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

import dev.nestlet.api.ApiException;
import dev.nestlet.api.ErrorCode;
import dev.nestlet.cgroup.CgroupLocator;
import dev.nestlet.lifecycle.ContainerAccess;
import dev.nestlet.lifecycle.Feature;
import dev.nestlet.ns.NamespaceTask;
import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.ns.RootedPaths;
import dev.nestlet.proc.MountInfo;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.LiveContainer;
import dev.nestlet.state.Registry;
import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.SysException;

/**
 * Virtual /proc and /sys files as a lifecycle feature. At createRuntime the container gets a view
 * (its cgroup, its init's start time) and each of its files, {@code MOUNT/ID/proc/meminfo}..., is
 * bound read-only over the kernel's file inside its mount namespace. At release the view goes; the
 * binds go with the container's mount namespace. When nestletd stops it takes the binds away, so
 * running containers fall back to the kernel's files instead of "Transport endpoint is not
 * connected"; a restarted nestletd binds them again ({@link #reattach}).
 */
public final class VirtualFiles implements Feature, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VirtualFiles.class.getName());
    private static final long BIND_ATTRS = MountCalls.MOUNT_ATTR_RDONLY | MountCalls.MOUNT_ATTR_NOSUID
            | MountCalls.MOUNT_ATTR_NODEV | MountCalls.MOUNT_ATTR_NOEXEC;

    private final VirtualFs fs;
    private final FuseServer server;
    private final LoadSampler sampler;
    private final CgroupLocator cgroups;

    private VirtualFiles(VirtualFs fs, FuseServer server, CgroupLocator cgroups) {
        this.fs = fs;
        this.server = server;
        this.cgroups = cgroups;
        this.sampler = new LoadSampler(() -> List.copyOf(fs.views()));
    }

    /** Mounts the FUSE file system at {@code mountPoint} and starts serving it. */
    public static VirtualFiles start(Path mountPoint, int threads) throws IOException {
        VirtualFs fs = new VirtualFs(VirtualFs.allFiles(), new HostFiles(Path.of("/")));
        CgroupLocator cgroups = CgroupLocator.ofHost();
        return new VirtualFiles(fs, FuseServer.mount(mountPoint, fs, threads), cgroups);
    }

    @Override
    public String name() {
        return "virtual files";
    }

    @Override
    public ContainerRecord createRuntime(ContainerRecord rec, ContainerAccess access) throws Exception {
        addView(rec);
        try {
            return rec.withMoreMounts(bind(rec, access, access.rootfs().toString()));
        } catch (Exception e) {
            fs.remove(rec.id());
            throw e;
        }
    }

    /** The previous nestletd's binds are dead (its FUSE connection ended with it): replace them. */
    @Override
    public ContainerRecord reattach(ContainerRecord rec, ContainerAccess access) throws Exception {
        addView(rec);
        unbind(rec.pid(), access::inMountNamespace);
        // After pivot_root the namespace's root is the container's root: paths resolve from "/".
        bind(rec, access, "/");
        return rec;
    }

    /** The container's files count from its init's start and read the cgroup its init is in now. */
    private void addView(ContainerRecord rec) throws IOException {
        fs.add(new ContainerView(rec.id(), rec.pidStartTime(), cgroups.forProcess(rec.pid())));
    }

    @Override
    public void release(ContainerRecord rec) {
        fs.remove(rec.id());
        server.invalidateEntry(FuseProtocol.ROOT_ID, rec.id());
    }

    /**
     * Binds every file that has a target inside the container: a target missing there (no /sys
     * mounted, say) is left out. Targets resolve inside the container's root, never through a
     * symlink out of it.
     */
    private List<String> bind(ContainerRecord rec, ContainerAccess access, String rootInNamespace) throws Exception {
        List<VirtualFile> files = fs.files();
        List<Fd> trees = new ArrayList<>();
        try {
            for (VirtualFile f : files) {
                Path source = VirtualFs.pathOf(server.mountPoint(), rec.id(), f);
                Fd tree = MountCalls.openTreeClone(source.toString(), false);
                trees.add(tree);
                MountCalls.setAttr(tree, false, BIND_ATTRS, 0, -1);
            }
            return access.inMountNamespace(() -> {
                List<String> bound = new ArrayList<>();
                try (Fd root = FileCalls.open(rootInNamespace, FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0)) {
                    for (int i = 0; i < files.size(); i++) {
                        String path = files.get(i).path();
                        try (Fd target = target(root, path, rec.id())) {
                            if (target != null) {
                                MountCalls.moveMount(trees.get(i), target);
                                bound.add(path);
                            }
                        }
                    }
                }
                return bound;
            });
        } finally {
            trees.forEach(Fd::close);
        }
    }

    private static Fd target(Fd root, String path, String id) {
        Fd fd;
        try {
            fd = RootedPaths.openFile(root, path);
        } catch (SysException e) {
            if (e.is(Errno.ENOENT)) {
                LOG.info(id + " has no " + path + "; it keeps none");
                return null;
            }
            throw e;
        }
        if (!FileCalls.fstat(fd).isRegular()) {
            fd.close();
            throw new ApiException(ErrorCode.UNSAFE_PATH, path + " inside " + id + " is not a regular file");
        }
        return fd;
    }

    /** Runs a task in one container's mount namespace. */
    private interface Inside {
        void run(NamespaceTask<Void> task) throws Exception;
    }

    /** Unmounts, inside the container, every mount of a nestlet FUSE file system (this one's or a dead one's). */
    private static void unbind(int pid, Inside inside) throws Exception {
        List<String> points = ours(pid);
        if (!points.isEmpty()) {
            inside.run(() -> {
                for (int i = points.size() - 1; i >= 0; i--) {
                    MountCalls.umount2(points.get(i), MountCalls.MNT_DETACH | MountCalls.UMOUNT_NOFOLLOW);
                }
                return null;
            });
        }
    }

    /** Mount points (relative to the init's root) of nestlet FUSE mounts in the init's mount namespace. */
    private static List<String> ours(int pid) throws IOException {
        return MountInfo.of(String.valueOf(pid)).stream().filter(m -> m.fsType().equals(FuseServer.FS_TYPE))
                .map(MountInfo::mountPoint).toList();
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
                unbind(c.record().pid(), task -> workers.inMountNamespace(c.pidfd(), task));
            } catch (Exception e) {
                LOG.warning("cannot take virtual files out of " + c.record().id() + ": " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        sampler.close();
        server.close();
    }
}
