package dev.nestlet.datadir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

import dev.nestlet.api.ApiException;
import dev.nestlet.api.ErrorCode;
import dev.nestlet.lifecycle.ContainerAccess;
import dev.nestlet.lifecycle.Feature;
import dev.nestlet.ns.RootedPaths;
import dev.nestlet.proc.MountInfo;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.SysException;

/**
 * Host-backed inner data dirs: /var/lib/docker, /var/lib/containerd and
 * /var/lib/buildkit inside a system container are binds of per-container
 * directories under {@code STATE/data/ID} on the host's own filesystem, so an
 * inner engine gets overlay2 on ext4/xfs instead of overlay on overlay.
 */
public final class InnerDataDirs implements Feature {
    private static final Logger LOG = Logger.getLogger(InnerDataDirs.class.getName());
    public static final List<String> TARGETS = List.of("/var/lib/docker", "/var/lib/containerd",
            "/var/lib/buildkit");

    private final Path base;
    private final boolean keep;

    /** @param keep leave the host directories in place at release (they are still unmounted) */
    public InnerDataDirs(Path stateDir, boolean keep) throws IOException {
        this.base = stateDir.resolve("data");
        this.keep = keep;
        Files.createDirectories(base);
    }

    @Override
    public String name() {
        return "inner data dirs";
    }

    @Override
    public ContainerRecord createRuntime(ContainerRecord rec, ContainerAccess access) throws Exception {
        // A crash after this leaves a directory of a dead or unknown container: the reconciler removes it.
        Path host = base.resolve(rec.id());
        Files.createDirectories(host);
        List<Fd> trees = new ArrayList<>();
        try {
            for (String target : TARGETS) {
                Path dir = host.resolve(Path.of(target).getFileName().toString());
                Files.createDirectories(dir);
                try (Fd fd = FileCalls.open(dir.toString(), FileCalls.O_RDONLY | FileCalls.O_DIRECTORY
                        | FileCalls.O_NOFOLLOW, 0)) {
                    FileCalls.fchown(fd, rec.rootUid(), rec.rootGid());
                    FileCalls.fchmod(fd, 0710);
                }
                trees.add(MountCalls.openTreeClone(dir.toString(), false));
            }
            String rootfs = access.rootfs().toString();
            access.inMountNamespace(() -> {
                try (Fd root = FileCalls.open(rootfs, FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0)) {
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
        return rec.withDataDir(host.toString(), TARGETS);
    }

    private static Fd mountPoint(Fd root, String target, ContainerRecord rec) {
        try {
            return RootedPaths.mkdirs(root, target, 0755, rec.rootUid(), rec.rootGid());
        } catch (SysException e) {
            throw new ApiException(ErrorCode.UNSAFE_PATH, "cannot make " + target + " inside the container's root: "
                    + e.getMessage());
        }
    }

    @Override
    public void release(ContainerRecord rec) throws Exception {
        if (rec.dataDir() == null) {
            return;
        }
        Path host = Path.of(rec.dataDir());
        if (!host.startsWith(base)) {
            throw new IllegalStateException("data dir " + host + " of " + rec.id() + " is not under " + base);
        }
        unmountBelow(host);
        if (!keep) {
            removeTree(host);
        }
    }

    /** Mounts under our dirs can only appear on the host through shared propagation; take them off. */
    private static void unmountBelow(Path host) throws IOException {
        List<MountInfo> mounts = MountInfo.of("self");
        for (int i = mounts.size() - 1; i >= 0; i--) {
            MountInfo m = mounts.get(i);
            if (m.isAtOrBelow(host.toString())) {
                LOG.warning("unmounting leftover " + m.mountPoint());
                MountCalls.umount2(m.mountPoint(), MountCalls.MNT_DETACH | MountCalls.UMOUNT_NOFOLLOW);
            }
        }
    }

    /** rm -rf that never follows a symlink and never descends into another filesystem. */
    private static void removeTree(Path host) throws IOException {
        if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Object device = Files.getAttribute(host, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Files.walkFileTree(host, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                if (!device.equals(Files.getAttribute(d, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
                    throw new IOException("refusing to remove " + d + ": another filesystem is mounted there");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
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
        unmountBelow(p);
        removeTree(p);
    }
}
