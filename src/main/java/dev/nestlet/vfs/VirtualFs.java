package dev.nestlet.vfs;

import dev.nestlet.metrics.NestletMetrics;
import dev.nestlet.quota.ByteBudget;
import dev.nestlet.quota.Throttle;
import dev.nestlet.sys.Errno;
import dev.nestlet.sys.SysException;
import dev.nestlet.vfs.fuse.FuseProtocol;
import dev.nestlet.vfs.fuse.FuseReply;
import dev.nestlet.vfs.fuse.FuseRequest;
import dev.nestlet.vfs.fuse.FuseServer;
import dev.nestlet.vfs.sysctl.SysctlInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The file system the FUSE server answers for: a root with one directory per registered container,
 * holding that container's virtual files at their paths ({@code ID/proc/meminfo}, {@code
 * ID/sys/devices/system/cpu/online}...). Each container is bound its own files, so a request's node
 * alone says whose content to render: no caller-pid lookup on the hot path.
 *
 * <p>OPEN takes a whole rendered file as a snapshot kept under the file handle; READs slice it,
 * RELEASE drops it. A file's st_size is the true length of that render: sendfile(2) (busybox cat)
 * reads FUSE files through the page cache up to i_size even with FOPEN_DIRECT_IO, and tail(1) seeks
 * from it. So file attributes are never cached by the kernel (timeout 0), GETATTR renders, and the
 * GETATTR, OPEN and fstat of one open share that render: a render younger than {@link #SHARE_NANOS}
 * is reused instead of made again (a write to a sysctl drops its container's). LOOKUP does not
 * render: with a zero attribute timeout and default_permissions the kernel sends a GETATTR before
 * every open and stat of the inode, so a LOOKUP's size is never read; nestletd's own LOOKUPs, one
 * per file when it binds a container's files, would otherwise render every file for nothing.
 *
 * <p>Open snapshots are bounded ({@link SnapshotLimits}): per container by count (EMFILE beyond),
 * for all containers together by bytes (EAGAIN beyond), so many held opens make opens fail, never
 * nestletd run out of heap. A refusal is logged at most once per {@link #REFUSAL_LOG_NANOS}.
 *
 * <p>Only sysctl files ({@link WritableFile}) take writes: one WRITE per write(2), each applied
 * whole. Anything else that would change a file or the tree is refused.
 */
public final class VirtualFs implements FuseServer.Handler {
    private static final Logger LOG = Logger.getLogger(VirtualFs.class.getName());

    /**
     * Directories never change: the kernel may cache their attributes and the dentries below a
     * container.
     */
    private static final long DIR_VALID_SECONDS = 3600;

    /** A file's size is its next render's: the kernel must ask each time. */
    private static final long FILE_ATTR_VALID_SECONDS = 0;

    /**
     * How long one render serves the requests of one open (permission GETATTR, OPEN, fstat) and of
     * others.
     */
    static final long SHARE_NANOS = 2_000_000;

    /** Container directories come and go: a removed one must stop resolving soon. */
    private static final long CONTAINER_ENTRY_VALID_SECONDS = 1;

    /**
     * What one open costs besides its content: the handle's map entry and snapshot record (an
     * estimate on the high side), so that opens of empty files are bounded by the budget too.
     */
    static final int OPEN_OVERHEAD_BYTES = 128;

    private static final long REFUSAL_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int maxOpenPerContainer;
    private final ByteBudget snapshotBytes;
    private final Throttle refusalLog = new Throttle(REFUSAL_LOG_NANOS);

    private final List<VirtualFile> files;
    private final HostFiles host;
    private final Node root;
    private final ConcurrentMap<Long, Node> nodes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Node> containers = new ConcurrentHashMap<>();
    private final ConcurrentMap<Long, Snapshot> handles = new ConcurrentHashMap<>();
    private final AtomicLong nextNode = new AtomicLong(FuseProtocol.ROOT_ID + 1);

    /** The size of a fresh block of node ids: a subtree with every file. */
    private final long maxNodes;

    /**
     * File handles count from the start time in milliseconds shifted left 20 bits: a restarted
     * nestletd never hands out a handle that a file opened under the previous one still carries.
     */
    private final long firstHandle = System.currentTimeMillis() << 20;

    private final AtomicLong nextHandle = new AtomicLong(firstHandle);

    /**
     * @param node the file, for a handle opened for writing; null for a read-only one
     * @param charge what it took from the snapshot budget
     */
    private record Snapshot(ContainerView view, byte[] bytes, Node node, long charge) {}

    public VirtualFs(List<VirtualFile> files, HostFiles host) {
        this(files, host, SnapshotLimits.defaults());
    }

    public VirtualFs(List<VirtualFile> files, HostFiles host, SnapshotLimits limits) {
        this.maxOpenPerContainer = limits.openPerContainer();
        this.snapshotBytes = new ByteBudget(limits.snapshotBytes());
        this.files = List.copyOf(files);
        this.maxNodes = offsets(treeOf(this.files)).size();
        this.host = host;
        this.root = Node.directory(FuseProtocol.ROOT_ID, null, Map.of());
        nodes.put(root.id(), root);
    }

    /**
     * The /proc and /sys files every system container gets, one handler each (its sysctls come on
     * top).
     */
    public static List<VirtualFile> allFiles() {
        return List.of(
                new MeminfoFile(),
                new CpuinfoFile(),
                new StatFile(),
                new UptimeFile(),
                new LoadavgFile(),
                new SwapsFile(),
                new DiskstatsFile(),
                new CpuOnlineFile());
    }

    /**
     * Adds (or replaces) the subtree of a container: the files that apply to it; returns its first
     * node id.
     */
    public long add(ContainerView view) {
        return add(view, -1);
    }

    /**
     * Adds (or replaces) a container's subtree with node ids from {@code base} on (a fresh block
     * when {@code base} is not positive); returns the first id. The ids follow the files' order
     * (depth first, {@link #offsets}), so the same files get the same ids again: after a restart on
     * a kept FUSE connection the kernel still names the container's bound files by the ids the
     * previous nestletd gave them. A fresh block is large enough for every file, whichever a
     * container ends up with: a prepared container's stand-in ({@link ContainerView#pending}) is
     * replaced by its own view, sysctls included, from the same first id.
     */
    public synchronized long add(ContainerView view, long base) {
        Map<String, Object> tree = treeOf(filesOf(view));
        Map<String, Long> offsets = offsets(tree);
        long first = base > 0 ? base : nextNode.getAndAdd(maxNodes);
        reserve(first + offsets.size());
        Node old = containers.put(view.id(), build(view, "", tree, first, offsets));
        if (old != null) {
            forget(old);
            closeCgroup(old.view());
        }
        return first;
    }

    /**
     * The files of {@code view} whose node ids (from its first) are the same in every subtree,
     * whatever sysctls a container has: no sysctl's node comes before theirs. The runtime can bind
     * these from a prepared container's stand-in before its sysctls are known.
     */
    public List<VirtualFile> numberedAlikeInEveryView(ContainerView view) {
        List<VirtualFile> mine = filesOf(view);
        Map<String, Long> own = offsets(treeOf(mine));
        Map<String, Long> every = offsets(treeOf(files));
        return mine.stream()
                .filter(
                        f ->
                                own.get(f.path().substring(1))
                                        .equals(every.get(f.path().substring(1))))
                .toList();
    }

    /**
     * Each node's offset from the subtree's first id, by path relative to the container's directory
     * ("" for it): depth first, in the order of the tree's entries.
     */
    private static Map<String, Long> offsets(Map<String, Object> tree) {
        Map<String, Long> out = new HashMap<>();
        number("", tree, out);
        return out;
    }

    private static void number(String path, Object entry, Map<String, Long> out) {
        out.put(path, (long) out.size());
        if (entry instanceof Map<?, ?> dir) {
            dir.forEach(
                    (name, child) ->
                            number(path.isEmpty() ? (String) name : path + "/" + name, child, out));
        }
    }

    /** The files as nested directories: name -> file or sub-directory, in the files' order. */
    private static Map<String, Object> treeOf(List<VirtualFile> files) {
        Map<String, Object> tree = new LinkedHashMap<>();
        for (VirtualFile f : files) {
            Map<String, Object> dir = tree;
            String[] parts = f.path().substring(1).split("/");
            for (int i = 0; i < parts.length - 1; i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> sub =
                        (Map<String, Object>)
                                dir.computeIfAbsent(
                                        parts[i], k -> new LinkedHashMap<String, Object>());
                dir = sub;
            }
            dir.put(parts[parts.length - 1], f);
        }
        return tree;
    }

    /** How many node ids the subtree of {@code id} takes (0 when it has none). */
    public long nodeCount(String id) {
        Node dir = containers.get(id);
        return dir == null ? 0 : countNodes(dir);
    }

    private static long countNodes(Node n) {
        long c = 1;
        for (Node child : n.children().values()) {
            c += countNodes(child);
        }
        return c;
    }

    /** Node ids below {@code next} are taken (by containers a previous nestletd added). */
    public void reserve(long next) {
        nextNode.accumulateAndGet(next, Math::max);
    }

    private Node build(
            ContainerView view, String path, Object entry, long first, Map<String, Long> offsets) {
        long id = first + offsets.get(path);
        Node n;
        if (entry instanceof VirtualFile f) {
            n = Node.file(id, view, f);
        } else {
            Map<String, Node> children = new LinkedHashMap<>();
            @SuppressWarnings("unchecked")
            Map<String, Object> dir = (Map<String, Object>) entry;
            dir.forEach(
                    (name, child) ->
                            children.put(
                                    name,
                                    build(
                                            view,
                                            path.isEmpty() ? name : path + "/" + name,
                                            child,
                                            first,
                                            offsets)));
            n = Node.directory(id, view, Map.copyOf(children));
        }
        nodes.put(id, n);
        return n;
    }

    /**
     * Removes a container's subtree: new opens of its files fail with ENOENT, open snapshots stay
     * readable.
     */
    public void remove(String id) {
        Node dir = containers.remove(id);
        if (dir != null) {
            forget(dir);
            closeCgroup(dir.view());
        }
        NestletMetrics.VFS_DEFERRED.remove(id);
    }

    private static void closeCgroup(ContainerView view) {
        if (!view.pending()) {
            view.cgroup().close();
        }
    }

    /** Drops a subtree's nodes, but not the ones a newer subtree gave the same ids. */
    private void forget(Node n) {
        nodes.remove(n.id(), n);
        n.children().values().forEach(this::forget);
    }

    /** The files {@code view}'s container has, in the order they were given. */
    public List<VirtualFile> filesOf(ContainerView view) {
        return files.stream().filter(f -> f.appliesTo(view)).toList();
    }

    /**
     * The container a node belongs to (its id), or null for the root: the owner whose share of the
     * FUSE threads a request of that node counts against.
     */
    @Override
    public String ownerOf(long nodeid) {
        Node n = nodes.get(nodeid);
        return n == null || n.view() == null ? null : n.view().id();
    }

    /** Bytes the open snapshots hold now, of the budget. */
    public long snapshotBytes() {
        return snapshotBytes.used();
    }

    public Optional<ContainerView> view(String id) {
        return Optional.ofNullable(containers.get(id)).map(Node::view);
    }

    public Collection<ContainerView> views() {
        return containers.values().stream().map(Node::view).toList();
    }

    /** Where file {@code f} of container {@code id} is, under the mount point. */
    public static Path pathOf(Path mountPoint, String id, VirtualFile f) {
        return mountPoint.resolve(id).resolve(f.path().substring(1));
    }

    @Override
    public int handle(FuseRequest r, FuseReply out) {
        long u = r.unique();
        if (r.body().limit() < FuseProtocol.leastBody(r.opcode())) {
            return out.error(u, Errno.EINVAL);
        }
        return switch (r.opcode()) {
            case FuseProtocol.INIT -> init(r, out);
            case FuseProtocol.LOOKUP -> lookup(r, out);
            case FuseProtocol.GETATTR -> getattr(r, out);
            case FuseProtocol.OPEN -> open(r, out);
            case FuseProtocol.READ -> read(r, out);
            case FuseProtocol.RELEASE -> release(r, out);
            case FuseProtocol.OPENDIR ->
                    withNode(
                            r,
                            out,
                            n -> n.isDirectory() ? out.open(u, 0, 0) : out.error(u, Errno.ENOTDIR));
            case FuseProtocol.READDIR -> readdir(r, out);
            case FuseProtocol.STATFS -> out.statfs(u);
            case FuseProtocol.ACCESS ->
                    withNode(
                            r,
                            out,
                            n ->
                                    (r.bodyInt(0) & FuseProtocol.W_OK) != 0
                                                    && !(n.file() instanceof WritableFile)
                                            ? out.error(u, Errno.EROFS)
                                            : out.empty(u));
            case FuseProtocol.WRITE -> write(r, out);
            case FuseProtocol.FLUSH,
                    FuseProtocol.RELEASEDIR,
                    FuseProtocol.FSYNC,
                    FuseProtocol.FSYNCDIR,
                    FuseProtocol.DESTROY ->
                    out.empty(u);
            case FuseProtocol.FORGET, FuseProtocol.BATCH_FORGET, FuseProtocol.INTERRUPT ->
                    -1; // never answered
            case FuseProtocol.SETATTR,
                    FuseProtocol.MKNOD,
                    FuseProtocol.MKDIR,
                    FuseProtocol.UNLINK,
                    FuseProtocol.RMDIR,
                    FuseProtocol.RENAME,
                    FuseProtocol.RENAME2,
                    FuseProtocol.LINK,
                    FuseProtocol.SYMLINK,
                    FuseProtocol.CREATE,
                    FuseProtocol.SETXATTR,
                    FuseProtocol.REMOVEXATTR,
                    FuseProtocol.FALLOCATE,
                    FuseProtocol.TMPFILE,
                    FuseProtocol.COPY_FILE_RANGE ->
                    out.error(u, Errno.EROFS);
            default ->
                    out.error(
                            u, Errno.ENOSYS); // STATX, GETXATTR...: the kernel remembers and falls
                // back
        };
    }

    /**
     * A file's path inside the container ({@code /proc/meminfo}), {@code dir} for a directory, and
     * {@code none} for a request about no node this server has (INIT, a removed container's).
     */
    @Override
    public String fileOf(long nodeid) {
        Node n = nodes.get(nodeid);
        if (n == null) {
            return "none";
        }
        return n.isDirectory() ? "dir" : n.file().path();
    }

    private interface NodeReply {
        int reply(Node n);
    }

    private int withNode(FuseRequest r, FuseReply out, NodeReply then) {
        Node n = nodes.get(r.nodeid());
        return n == null ? out.error(r.unique(), Errno.ENOENT) : then.reply(n);
    }

    /** fuse_init_in: major, minor, max_readahead, flags. */
    private int init(FuseRequest r, FuseReply out) {
        int major = r.bodyInt(0);
        int minor = r.bodyInt(4);
        if (major != FuseProtocol.MAJOR || minor < FuseProtocol.OLDEST_MINOR) {
            LOG.severe(
                    "kernel speaks FUSE "
                            + major
                            + "."
                            + minor
                            + "; nestlet needs 7."
                            + FuseProtocol.OLDEST_MINOR
                            + " or newer");
            return out.error(r.unique(), Errno.EPROTO);
        }
        int flags =
                r.bodyInt(12)
                        & (FuseProtocol.FUSE_ASYNC_READ
                                | FuseProtocol.FUSE_PARALLEL_DIROPS
                                | FuseProtocol.FUSE_ATOMIC_O_TRUNC);
        return out.init(r.unique(), Math.min(minor, FuseProtocol.MINOR), r.bodyInt(8), flags, 4096);
    }

    private int lookup(FuseRequest r, FuseReply out) {
        String name = r.name();
        Node child;
        long entryValid = DIR_VALID_SECONDS;
        if (r.nodeid() == FuseProtocol.ROOT_ID) {
            child = containers.get(name);
            entryValid = CONTAINER_ENTRY_VALID_SECONDS;
        } else {
            Node parent = nodes.get(r.nodeid());
            child = parent == null ? null : parent.children().get(name);
        }
        if (child == null || !nodes.containsKey(child.id())) {
            return out.error(r.unique(), Errno.ENOENT);
        }
        if (child.isDirectory()) {
            return out.entry(r.unique(), child.attr(null), entryValid, DIR_VALID_SECONDS);
        }
        return out.entry(
                r.unique(), child.attr(child.recent().get()), entryValid, FILE_ATTR_VALID_SECONDS);
    }

    private int getattr(FuseRequest r, FuseReply out) {
        Node n = nodes.get(r.nodeid());
        if (n == null) {
            return out.error(r.unique(), Errno.ENOENT);
        }
        if (n.isDirectory()) {
            return out.attr(r.unique(), n.attr(null), DIR_VALID_SECONDS);
        }
        try {
            return out.attr(r.unique(), n.attr(current(n)), FILE_ATTR_VALID_SECONDS);
        } catch (RuntimeException e) {
            return renderFailed(r, out, n, e);
        }
    }

    /** The file's latest render if it is younger than {@link #SHARE_NANOS}, else a new one. */
    private Node.Rendered current(Node n) {
        long now = System.nanoTime();
        Node.Rendered r = n.recent().get();
        if (r == null || now - r.at() >= SHARE_NANOS) {
            byte[] bytes = n.view().pending() ? new byte[0] : n.file().render(n.view(), host);
            r = new Node.Rendered(bytes, now);
            n.recent().set(r);
        }
        return r;
    }

    /**
     * A cgroup that is gone (container stopping) means the file is gone; anything else is an I/O
     * error.
     */
    private static int renderFailed(FuseRequest r, FuseReply out, Node n, RuntimeException e) {
        if (e instanceof SysException se && (se.is(Errno.ENOENT) || se.is(Errno.ENODEV))) {
            return out.error(r.unique(), Errno.ENOENT);
        }
        LOG.warning("cannot render " + n.file().path() + " of " + n.view().id() + ": " + e);
        return out.error(r.unique(), Errno.EIO);
    }

    /**
     * fuse_open_in: flags. Writing is refused here for all but sysctls: root passes the 0444 check
     * of default_permissions. O_TRUNC means nothing to a sysctl (the kernel's sysctls ignore it
     * too).
     */
    private int open(FuseRequest r, FuseReply out) {
        Node n = nodes.get(r.nodeid());
        if (n == null) {
            return out.error(r.unique(), Errno.ENOENT);
        }
        if (n.isDirectory()) {
            return out.error(r.unique(), Errno.EISDIR);
        }
        boolean forWrite = (r.bodyInt(0) & FuseProtocol.O_ACCMODE) != 0;
        if (forWrite && !(n.file() instanceof WritableFile)) {
            return out.error(r.unique(), Errno.EACCES);
        }
        ContainerView view = n.view();
        if (view.openFiles().incrementAndGet() > maxOpenPerContainer) {
            view.openFiles().decrementAndGet();
            return refuse(r, out, Errno.EMFILE, "vfs_open_files", view, "open virtual files");
        }
        byte[] bytes;
        try {
            bytes = current(n).bytes();
        } catch (RuntimeException e) {
            view.openFiles().decrementAndGet();
            return renderFailed(r, out, n, e);
        }
        long charge = bytes.length + (long) OPEN_OVERHEAD_BYTES;
        if (!snapshotBytes.tryCharge(charge)) {
            view.openFiles().decrementAndGet();
            return refuse(r, out, Errno.EAGAIN, "vfs_snapshot_bytes", view, "snapshot bytes");
        }
        long fh = nextHandle.getAndIncrement();
        handles.put(fh, new Snapshot(view, bytes, forWrite ? n : null, charge));
        return out.open(r.unique(), fh, FuseProtocol.FOPEN_DIRECT_IO | FuseProtocol.FOPEN_NOFLUSH);
    }

    /** Refuses an open over a cap or the budget: an error, a metric, a log line now and then. */
    private int refuse(
            FuseRequest r,
            FuseReply out,
            int errno,
            String resource,
            ContainerView view,
            String what) {
        NestletMetrics.REFUSALS.labelValues(resource).inc();
        long silenced = refusalLog.tryAcquire();
        if (silenced >= 0) {
            LOG.warning(
                    "open of a virtual file by "
                            + view.id()
                            + " refused with "
                            + Errno.name(errno)
                            + ": "
                            + what
                            + " at the limit ("
                            + (errno == Errno.EMFILE
                                    ? maxOpenPerContainer + " per container"
                                    : snapshotBytes.used() + " of " + snapshotBytes.limit())
                            + "); "
                            + silenced
                            + " refusal(s) not logged since the last line");
        }
        return out.error(r.unique(), errno);
    }

    /** fuse_read_in: fh, offset, size. */
    private int read(FuseRequest r, FuseReply out) {
        Snapshot s = handleOf(r);
        if (s == null) {
            return out.error(r.unique(), Errno.EBADF);
        }
        return out.data(r.unique(), s.bytes(), r.bodyLong(8), r.bodyInt(16));
    }

    /**
     * The snapshot of the request's file handle. A handle below this nestletd's first one was
     * opened under a previous nestletd on the same (kept) FUSE connection: the file is rendered now
     * and the handle adopted, so a reader that held a file open across a restart reads on instead
     * of failing.
     */
    private Snapshot handleOf(FuseRequest r) {
        long fh = r.bodyLong(0);
        Snapshot s = handles.get(fh);
        if (s != null) {
            return s;
        }
        if (fh <= 0 || fh >= firstHandle) {
            return null; // one of ours, released (or never given): EBADF
        }
        Node n = nodes.get(r.nodeid());
        if (n == null || n.isDirectory()) {
            return null;
        }
        byte[] bytes = current(n).bytes();
        Snapshot adopted =
                new Snapshot(
                        n.view(),
                        bytes,
                        n.file() instanceof WritableFile ? n : null,
                        bytes.length + (long) OPEN_OVERHEAD_BYTES);
        Snapshot raced = handles.putIfAbsent(fh, adopted);
        if (raced != null) {
            return raced;
        }
        // open already: counted even over a limit, which then refuses new opens until it is closed
        snapshotBytes.force(adopted.charge());
        n.view().openFiles().incrementAndGet();
        return adopted;
    }

    /**
     * fuse_write_in and the data: one write(2), applied whole to the sysctl; the answer says how
     * much it took.
     */
    private int write(FuseRequest r, FuseReply out) {
        Snapshot s = handleOf(r);
        if (s == null || s.node() == null) {
            return out.error(r.unique(), Errno.EBADF);
        }
        int size = r.bodyInt(16);
        if (size < 0 || size > r.body().limit() - FuseProtocol.WRITE_IN) {
            return out.error(r.unique(), Errno.EINVAL);
        }
        byte[] data = new byte[size];
        r.body().get(FuseProtocol.WRITE_IN, data);
        try {
            int taken = ((WritableFile) s.node().file()).write(s.view(), r.bodyLong(8), data);
            Node dir = containers.get(s.view().id());
            if (dir != null) {
                dropRenders(dir);
            }
            return out.written(r.unique(), taken);
        } catch (SysctlInputException e) {
            return out.error(r.unique(), e.errno());
        }
    }

    /**
     * The next read of any file of the container renders anew: a write may show in more than one
     * file.
     */
    private static void dropRenders(Node n) {
        if (n.isDirectory()) {
            n.children().values().forEach(VirtualFs::dropRenders);
        } else {
            n.recent().set(null);
        }
    }

    /** fuse_release_in: fh. */
    private int release(FuseRequest r, FuseReply out) {
        Snapshot s = handles.remove(r.bodyLong(0));
        if (s != null) {
            s.view().openFiles().decrementAndGet();
            snapshotBytes.release(s.charge());
        }
        return out.empty(r.unique());
    }

    /**
     * fuse_read_in again: the offset is the index of the next entry, as each dirent's "off" said.
     */
    @SuppressWarnings("ReferenceEquality") // the root node itself, not one equal to it
    private int readdir(FuseRequest r, FuseReply out) {
        Node dir = nodes.get(r.nodeid());
        if (dir == null || !dir.isDirectory()) {
            return out.error(r.unique(), dir == null ? Errno.ENOENT : Errno.ENOTDIR);
        }
        List<Map.Entry<String, Node>> entries = new ArrayList<>();
        entries.add(Map.entry(".", dir));
        entries.add(Map.entry("..", dir)); // the kernel fixes up ".." itself
        (dir == root ? containers : dir.children())
                .forEach((name, n) -> entries.add(Map.entry(name, n)));
        FuseReply.DirentWriter w = out.dirents(r.unique(), r.bodyInt(16));
        long offset = r.bodyLong(8);
        // The kernel passes back an offset this method gave; any other is past the end.
        int from = offset < 0 || offset > entries.size() ? entries.size() : (int) offset;
        for (int i = from; i < entries.size(); i++) {
            Node n = entries.get(i).getValue();
            if (!w.dirent(
                    n.id(),
                    i + 1,
                    n.isDirectory() ? FuseProtocol.DT_DIR : FuseProtocol.DT_REG,
                    entries.get(i).getKey())) {
                break;
            }
        }
        return w.finish();
    }
}
