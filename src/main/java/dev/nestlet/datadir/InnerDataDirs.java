package dev.nestlet.datadir;

import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.fault.CrashPoint;
import dev.nestlet.host.HostTree;
import dev.nestlet.lifecycle.ContainerAccess;
import dev.nestlet.lifecycle.Feature;
import dev.nestlet.ns.RootedPaths;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Host-backed inner data dirs: /var/lib/docker, /var/lib/containerd and /var/lib/buildkit (and, in
 * nestlet-runtime's containers, /var/lib/containers for podman and buildah) inside a system
 * container are binds of per-container directories under {@code STATE/data/ID} on the host's own
 * filesystem, so an inner engine gets overlay2 on ext4/xfs instead of overlay on overlay.
 */
public final class InnerDataDirs implements Feature {
    private static final Logger LOG = Logger.getLogger(InnerDataDirs.class.getName());
    public static final List<String> TARGETS =
            List.of("/var/lib/docker", "/var/lib/containerd", "/var/lib/buildkit");

    /**
     * What prepare binds into nestlet-runtime's system containers: the same, and
     * /var/lib/containers (podman's and buildah's storage). The hook path mounts {@link #TARGETS}
     * only, as before.
     */
    public static final List<String> PREPARED_TARGETS =
            List.of(
                    "/var/lib/docker",
                    "/var/lib/containerd",
                    "/var/lib/buildkit",
                    "/var/lib/containers");

    private final Path base;
    private final boolean keep;

    /**
     * @param keep leave the host directories in place at release (they are still unmounted)
     */
    public InnerDataDirs(Path stateDir, boolean keep) throws IOException {
        this.base = HostTree.traversableDir(stateDir.resolve("data"));
        this.keep = keep;
    }

    @Override
    public String name() {
        return "inner data dirs";
    }

    @Override
    public CrashPoint crashPoint() {
        return CrashPoint.FEATURE_DATA_DIRS;
    }

    /**
     * Creates the host directories of {@code id}, owned by the host ids of the container's root;
     * returns them in {@link #TARGETS} order. A crash after this leaves directories of a dead or
     * unknown container: the reconciler removes them.
     */
    public List<Path> createHostDirs(String id, int rootUid, int rootGid) throws IOException {
        return createHostDirs(id, rootUid, rootGid, TARGETS);
    }

    /** The same for {@code targets} (paths inside the container), in their order. */
    public List<Path> createHostDirs(String id, int rootUid, int rootGid, List<String> targets)
            throws IOException {
        Path host = HostTree.traversableDir(base.resolve(id));
        List<Path> dirs = new ArrayList<>();
        for (String target : targets) {
            Path dir = host.resolve(Path.of(target).getFileName().toString());
            Files.createDirectories(dir);
            try (Fd fd =
                    FileCalls.open(
                            dir.toString(),
                            FileCalls.O_RDONLY | FileCalls.O_DIRECTORY | FileCalls.O_NOFOLLOW,
                            0)) {
                FileCalls.fchown(fd, rootUid, rootGid);
                FileCalls.fchmod(fd, 0710);
            }
            dirs.add(dir);
        }
        return dirs;
    }

    public Path hostDirOf(String id) {
        return base.resolve(id);
    }

    /**
     * The hook path: binds the host dirs into the container's mount namespace. When nestlet-runtime
     * prepared the container, the runtime already mounted them from config.json, and there is
     * nothing left to do.
     */
    @Override
    public ContainerRecord createRuntime(ContainerRecord rec, ContainerAccess access)
            throws Exception {
        if (rec.dataDir() != null) {
            return rec;
        }
        List<Path> dirs = createHostDirs(rec.id(), rec.rootUid(), rec.rootGid());
        List<Fd> trees = new ArrayList<>();
        try {
            for (Path dir : dirs) {
                Fd tree = MountCalls.openTreeClone(dir.toString(), false);
                trees.add(tree);
                // The flags prepare gives the same binds in config.json: either path, one mount.
                MountCalls.setAttr(
                        tree,
                        false,
                        MountCalls.MOUNT_ATTR_NOSUID | MountCalls.MOUNT_ATTR_NODEV,
                        0,
                        -1);
            }
            String rootfs = access.rootfs().toString();
            access.inMountNamespace(
                    () -> {
                        try (Fd root =
                                FileCalls.open(
                                        rootfs, FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0)) {
                            for (int i = 0; i < TARGETS.size(); i++) {
                                try (Fd target = mountPoint(root, TARGETS.get(i), rec)) {
                                    MountCalls.moveMount(trees.get(i), target);
                                }
                            }
                        }
                        return null;
                    });
        } finally {
            trees.forEach(Fd::close);
        }
        return rec.withDataDir(hostDirOf(rec.id()).toString(), TARGETS);
    }

    private static Fd mountPoint(Fd root, String target, ContainerRecord rec) {
        try {
            return RootedPaths.mkdirs(root, target, 0755, rec.rootUid(), rec.rootGid());
        } catch (SysException e) {
            throw new NestletException(
                    ErrorCode.UNSAFE_PATH,
                    "cannot make " + target + " inside the container's root: " + e.getMessage());
        }
    }

    /** By id, not by record: a crash may come before the record says the dirs exist. */
    @Override
    public void release(ContainerRecord rec) throws Exception {
        Path host = hostDirOf(rec.id());
        if (!keep) {
            // Mounts below our dirs can only appear on the host through shared propagation:
            // removeTree takes them off if it meets one.
            HostTree.removeTree(host);
        } else {
            HostTree.unmountBelow(host);
        }
    }

    @Override
    public Set<String> leftoverIds() throws IOException {
        Set<String> ids = new HashSet<>();
        if (!keep) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(base)) {
                ds.forEach(p -> ids.add(p.getFileName().toString()));
            }
        }
        return ids;
    }

    @Override
    public void removeLeftovers(String id) throws Exception {
        Path p = base.resolve(id);
        LOG.info("removing data dir of unknown container " + id);
        HostTree.removeTree(p);
    }
}
