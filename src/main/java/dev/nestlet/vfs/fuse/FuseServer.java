package dev.nestlet.vfs.fuse;

import dev.nestlet.fdstore.FdStore;
import dev.nestlet.metrics.NestletMetrics;
import dev.nestlet.proc.MountInfo;
import dev.nestlet.proc.MountTable;
import dev.nestlet.quota.CpuBudget;
import dev.nestlet.quota.FairLanes;
import dev.nestlet.sys.ClockCalls;
import dev.nestlet.sys.CpuAffinity;
import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FuseCalls;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The FUSE transport: nestletd opens /dev/fuse, mounts it itself (no libfuse, no fusermount) and
 * serves it with a few platform threads, each blocked in read(2) on its own clone of the session
 * fd, answering each request synchronously on the fd it came from. Rendering a file takes tens of
 * microseconds, so no request waits behind a slow one for long and no hand-off to a pool pays off.
 *
 * <p>Fairness between containers: a request counts against the container its node belongs to
 * ({@link Handler#ownerOf}), which may have at most {@code inFlightPerOwner} requests being
 * answered at once. A reader that reads one beyond that queues it (copied) in the container's own
 * queue and reads on; the thread that finishes one of that container's requests answers the next
 * queued one ({@link FairLanes}). So a storm of one container holds at most that many threads, and
 * the others' requests are read and answered by the rest at once instead of waiting behind the
 * storm in the kernel's FIFO queue. Under the cap (the quiet case) a request costs two uncontended
 * lock acquisitions more, and no thread hop.
 *
 * <p>CPU between containers: the lanes bound threads, not CPU, and rendering a storming container's
 * files on nestletd's threads takes the CPU its neighbours' readers need. So each request's thread
 * CPU time is charged to its container's {@link CpuBudget}; a container over its budget has its
 * next request deferred: it stays in flight in the container's lane (the ones behind it stay queued
 * there) while the FUSE thread goes back to reading, and a timer thread answers it once the bucket
 * has refilled, then the lane's next ones until the container is over budget again. Nothing is
 * refused: its readers only wait. A container under its budget is never deferred.
 */
public final class FuseServer implements AutoCloseable {
    /**
     * Answers one request into the reply buffer; returns its length, or -1 when the request takes
     * no reply.
     */
    public interface Handler {
        int handle(FuseRequest request, FuseReply reply);

        /**
         * What node {@code nodeid} is, as a metric label of few values: a file's path inside the
         * container, never anything that names a container.
         */
        String fileOf(long nodeid);

        /**
         * The container node {@code nodeid} belongs to, or null for a node of none (the root,
         * INIT): requests of one owner are served at most a few at a time.
         */
        String ownerOf(long nodeid);
    }

    public static final String FS_TYPE = "fuse.nestlet";
    private static final Logger LOG = Logger.getLogger(FuseServer.class.getName());

    /**
     * At least 8 KiB and header + fuse_write_in + max_write (4 KiB), else the kernel refuses the
     * read.
     */
    private static final int REQUEST_BUFFER = 64 * 1024;

    /** The kernel asks for at most max_pages (32 by default) pages per READ. */
    private static final int REPLY_BUFFER = FuseProtocol.OUT_HEADER + 32 * 4096;

    /**
     * FUSE_NOTIFY_RESEND (Linux 6.9+): the kernel queues every request read but not answered again.
     */
    private static final int NOTIFY_RESEND = 7;

    /**
     * The names this server's fds are stored under: {@code fuse/0} is the session fd, then its
     * clones.
     */
    public static final String STORE_PREFIX = "fuse/";

    private final Path mountPoint;
    private final Handler handler;
    private final FdStore store;

    /**
     * No queue cap: each queued request is a caller blocked in a system call (the container's pids
     * limit bounds them), and refusing one would fail a read the kernel's queue would have held.
     */
    private final FairLanes<Queued> lanes;

    /**
     * A request waiting in its container's queue, with the fd it was read from: each clone of the
     * session fd has its own list of requests in processing, so the reply must go back there.
     */
    private record Queued(int fd, FuseRequest request) {}

    private final CpuBudget budget;

    /**
     * Answers deferred requests when their container's budget has refilled. One thread: what it
     * serves is bounded by the budgets of the containers over theirs.
     */
    private final ScheduledThreadPoolExecutor deferred;

    /** The reply buffer of the {@link #deferred} thread. */
    private final FuseReply deferredOut = new FuseReply(ByteBuffer.allocateDirect(REPLY_BUFFER));

    private final List<Fd> fds = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final FuseReply notices =
            new FuseReply(ByteBuffer.allocateDirect(FuseProtocol.OUT_HEADER + 512));
    private boolean adopted;
    private volatile boolean closed;
    private volatile boolean handedOver;

    private FuseServer(
            Path mountPoint,
            Handler handler,
            FdStore store,
            int inFlightPerOwner,
            CpuBudget budget) {
        this.mountPoint = mountPoint;
        this.handler = handler;
        this.store = store;
        this.lanes = new FairLanes<>(inFlightPerOwner, Integer.MAX_VALUE);
        this.budget = budget;
        this.deferred =
                new ScheduledThreadPoolExecutor(
                        1,
                        r -> {
                            Thread t = new Thread(r, "fuse-deferred");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Mounts a fresh FUSE file system at {@code mountPoint}, first taking away a dead one a killed
     * nestletd may have left there (its readers would get "Transport endpoint is not connected"),
     * and starts serving it.
     */
    public static FuseServer mount(
            Path mountPoint,
            Handler handler,
            int threadCount,
            int inFlightPerOwner,
            CpuBudget budget)
            throws IOException {
        FuseServer s =
                open(
                        mountPoint,
                        handler,
                        threadCount,
                        inFlightPerOwner,
                        budget,
                        FdStore.none(),
                        Map.of());
        s.start();
        return s;
    }

    /**
     * Takes over the FUSE connection a previous nestletd left in {@code store} ({@code kept}: its
     * fds by name) when its mount is still at {@code mountPoint}: nothing is mounted again, and the
     * connection is served from {@link #start()} on (readers block until then, they do not fail).
     * Otherwise mounts a fresh one as {@link #mount} does and gives its fds to the store. Kept fds
     * of this server that are not used are closed and removed from the store.
     */
    public static FuseServer open(
            Path mountPoint,
            Handler handler,
            int threadCount,
            int inFlightPerOwner,
            CpuBudget budget,
            FdStore store,
            Map<String, Fd> kept)
            throws IOException {
        FuseServer s = new FuseServer(mountPoint, handler, store, inFlightPerOwner, budget);
        TreeMap<Integer, Fd> ours = new TreeMap<>();
        kept.forEach(
                (name, fd) -> {
                    if (name.startsWith(STORE_PREFIX)) {
                        try {
                            ours.put(Integer.parseInt(name.substring(STORE_PREFIX.length())), fd);
                        } catch (NumberFormatException e) {
                            fd.close();
                            store.remove(name);
                        }
                    }
                });
        if (!ours.isEmpty() && ours.firstKey() == 0 && liveMountAt(mountPoint)) {
            s.fds.addAll(ours.values());
            s.adopted = true;
            try {
                for (int i = s.fds.size(); i < threadCount; i++) {
                    Fd clone = FuseCalls.cloneSession(s.fds.get(0));
                    s.fds.add(clone);
                    store.put(STORE_PREFIX + i, clone);
                }
            } catch (RuntimeException e) {
                LOG.warning("cannot add a FUSE reader: " + e.getMessage());
            }
            LOG.info(
                    "kept FUSE connection at "
                            + mountPoint
                            + " taken over ("
                            + s.fds.size()
                            + " fd(s))");
            return s;
        }
        ours.forEach(
                (i, fd) -> {
                    fd.close();
                    store.remove(STORE_PREFIX + i);
                });
        removeStale(mountPoint);
        Files.createDirectories(mountPoint);
        Fd session = FuseCalls.open();
        s.fds.add(session);
        try {
            // A writable superblock, for the sysctl files; the others are read-only binds, and the
            // server refuses any change to them whatever a bind says.
            MountCalls.mount(
                    "nestlet",
                    mountPoint.toString(),
                    FS_TYPE,
                    MountCalls.MS_NOSUID | MountCalls.MS_NODEV | MountCalls.MS_NOEXEC,
                    "fd="
                            + session.get()
                            + ",rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions");
            for (int i = 1; i < threadCount; i++) {
                s.fds.add(FuseCalls.cloneSession(session));
            }
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        for (int i = 0; i < s.fds.size(); i++) {
            store.put(STORE_PREFIX + i, s.fds.get(i));
        }
        return s;
    }

    /**
     * Whether this server took over a kept connection (whose binds in containers are still in
     * place).
     */
    public boolean adopted() {
        return adopted;
    }

    /**
     * Starts the reader threads; on a taken-over connection, first asks the kernel to send again
     * what the previous nestletd read and never answered (FUSE_NOTIFY_RESEND).
     */
    public synchronized void start() {
        if (!threads.isEmpty()) {
            return;
        }
        for (int i = 0; i < fds.size(); i++) {
            Fd fd = fds.get(i);
            Thread t = new Thread(() -> serve(fd), "fuse-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        if (adopted) {
            resendUnanswered();
        }
        LOG.info("virtual files served at " + mountPoint + " by " + fds.size() + " thread(s)");
    }

    /**
     * Asks the kernel to queue again every request a reader took and did not answer: at start, what
     * a stopped nestletd took; after a hand-over, what the old one's readers took after it handed
     * over (see {@link #handOver()}). A request this server is answering meanwhile is sent again
     * too; the kernel takes the first answer and refuses the second (ENOENT), so a read is answered
     * once and a sysctl write applied with the same value twice.
     */
    public void resendUnanswered() {
        ByteBuffer b =
                ByteBuffer.allocateDirect(FuseProtocol.OUT_HEADER).order(ByteOrder.nativeOrder());
        b.putInt(0, FuseProtocol.OUT_HEADER).putInt(4, NOTIFY_RESEND).putLong(8, 0);
        long rc = FuseCalls.writeReply(fds.get(0).get(), b, FuseProtocol.OUT_HEADER);
        if (rc < 0) {
            LOG.warning(
                    "FUSE_NOTIFY_RESEND failed: "
                            + Errno.name((int) -rc)
                            + "; a read in flight when the previous nestletd stopped stays blocked"
                            + " until its reader is interrupted");
        }
    }

    private static boolean liveMountAt(Path mountPoint) throws IOException {
        for (MountInfo m : MountTable.of("self").all()) {
            if (m.mountPoint().equals(mountPoint.toString()) && m.fsType().equals(FS_TYPE)) {
                return true;
            }
        }
        return false;
    }

    public Path mountPoint() {
        return mountPoint;
    }

    private static void removeStale(Path mountPoint) throws IOException {
        for (MountInfo m : MountTable.of("self").stackAt(mountPoint.toString())) {
            if (!m.fsType().startsWith("fuse")) {
                throw new IOException(mountPoint + " already has a " + m.fsType() + " mount on it");
            }
            LOG.warning(
                    "unmounting a FUSE mount left at " + mountPoint + " by an earlier nestletd");
            MountCalls.umount2(
                    mountPoint.toString(), MountCalls.MNT_DETACH | MountCalls.UMOUNT_NOFOLLOW);
        }
    }

    private void serve(Fd fd) {
        ByteBuffer in = ByteBuffer.allocateDirect(REQUEST_BUFFER).order(ByteOrder.nativeOrder());
        FuseReply out = new FuseReply(ByteBuffer.allocateDirect(REPLY_BUFFER));
        int n = fd.get();
        while (!closed) {
            // read(2) of a request costs CPU too: charged to its container with the answer
            long cpu0 = budget.limited() ? ClockCalls.threadCpuNanos() : 0;
            long len = FuseCalls.readRequest(n, in);
            if (len < 0) {
                int errno = (int) -len;
                if (errno == Errno.EINTR || errno == Errno.EAGAIN || errno == Errno.ENOENT) {
                    continue; // a signal, or a request interrupted before we got it
                }
                if (errno != Errno.ENODEV) {
                    LOG.severe(
                            "reading "
                                    + FuseCalls.DEVICE
                                    + " failed: "
                                    + Errno.name(errno)
                                    + "; thread stops");
                }
                return; // ENODEV: unmounted and every bind of it gone
            }
            FuseRequest req;
            try {
                req = FuseRequest.decode(in, (int) len);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "undecodable FUSE request", e);
                continue;
            }
            String owner = handler.ownerOf(req.nodeid());
            if (owner == null) {
                answer(n, req, out);
                continue;
            }
            FuseRequest read = req;
            if (lanes.offer(owner, () -> new Queued(n, read.detached()))
                    != FairLanes.Admission.RUN) {
                continue; // queued: the thread that ends one of owner's requests answers it
            }
            serveLane(owner, n, req, null, out, cpu0);
        }
    }

    /**
     * Answers {@code owner}'s request {@code req} (in flight in its lane; {@code held} is its copy
     * when it has one), then the lane's next ones, until none is queued or the owner is over its
     * budget: then the one in hand is deferred until the budget has refilled. {@code cpu0}: this
     * thread's CPU time when the work for {@code req} began (with a budget).
     */
    private void serveLane(
            String owner, int fd, FuseRequest req, Queued held, FuseReply out, long cpu0) {
        int f = fd;
        FuseRequest r = req;
        Queued copy = held;
        long start = cpu0;
        while (true) {
            long wait = budget.waitNanos(owner);
            if (wait > 0) {
                defer(owner, copy != null ? copy : new Queued(f, r.detached()), wait);
                return;
            }
            answerOnCallersCpus(f, r, out);
            if (budget.limited()) {
                long end = ClockCalls.threadCpuNanos();
                budget.charge(owner, end - start);
                start = end;
            }
            copy = lanes.done(owner);
            if (copy == null) {
                return;
            }
            f = copy.fd();
            r = copy.request();
        }
    }

    private void defer(String owner, Queued q, long waitNanos) {
        long t0 = System.nanoTime();
        try {
            // The task logs what it throws: nobody reads the future.
            Future<?> unused =
                    deferred.schedule(
                            () -> {
                                NestletMetrics.VFS_DEFERRED
                                        .labelValues(owner)
                                        .inc(NestletMetrics.since(t0));
                                try {
                                    serveLane(
                                            owner,
                                            q.fd(),
                                            q.request(),
                                            q,
                                            deferredOut,
                                            ClockCalls.threadCpuNanos());
                                } catch (RuntimeException e) {
                                    LOG.log(Level.SEVERE, "deferred FUSE requests failed", e);
                                }
                            },
                            waitNanos,
                            TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed or handed over: left unanswered, the next nestletd has the kernel send it
            // again
        }
    }

    /**
     * Answers on the CPUs of the thread that asked (its container's cpuset), so that rendering a
     * storming container's files takes its own CPUs' time and not its neighbours'.
     */
    private void answerOnCallersCpus(int fd, FuseRequest req, FuseReply out) {
        CpuAffinity.runOn(
                CpuAffinity.ofCaller(req.pid()),
                () -> {
                    answer(fd, req, out);
                    return null;
                });
    }

    private void answer(int fd, FuseRequest req, FuseReply out) {
        if (handedOver) {
            // Read (or queued) after the hand-over: left unanswered, for the new nestletd to
            // answer once this process is gone and it asks for a resend. Answering here could use
            // sysctl values the new one no longer sees.
            return;
        }
        int replyLen;
        long t0 = System.nanoTime();
        try {
            replyLen = handler.handle(req, out);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "FUSE request " + req.opcode() + " failed", e);
            replyLen = out.error(req.unique(), Errno.EIO);
        }
        if (replyLen > 0) {
            long rc = FuseCalls.writeReply(fd, out.buffer(), replyLen);
            if (rc < 0 && rc != -Errno.ENOENT) { // ENOENT: the caller was interrupted and left
                LOG.warning(
                        "FUSE reply to request "
                                + req.opcode()
                                + " failed: "
                                + Errno.name((int) -rc));
            }
        }
        NestletMetrics.FUSE
                .labelValues(opName(req.opcode()), handler.fileOf(req.nodeid()))
                .observe(NestletMetrics.since(t0));
    }

    /** The metric label of a FUSE opcode: the ones nestlet answers by name, the rest as "other". */
    static String opName(int opcode) {
        return switch (opcode) {
            case FuseProtocol.LOOKUP -> "lookup";
            case FuseProtocol.GETATTR -> "getattr";
            case FuseProtocol.OPEN -> "open";
            case FuseProtocol.READ -> "read";
            case FuseProtocol.WRITE -> "write";
            case FuseProtocol.RELEASE -> "release";
            case FuseProtocol.FLUSH -> "flush";
            case FuseProtocol.OPENDIR -> "opendir";
            case FuseProtocol.READDIR -> "readdir";
            case FuseProtocol.RELEASEDIR -> "releasedir";
            case FuseProtocol.ACCESS -> "access";
            case FuseProtocol.FORGET, FuseProtocol.BATCH_FORGET -> "forget";
            case FuseProtocol.INIT -> "init";
            default -> "other";
        };
    }

    /**
     * Tells the kernel to drop its cached dentry {@code name} under directory {@code parent}, so a
     * removed container's directory stops resolving at once. Never called from a reader thread.
     */
    public synchronized void invalidateEntry(long parent, String name) {
        if (closed) {
            return;
        }
        int len = notices.invalidateEntry(parent, name);
        long rc = FuseCalls.writeReply(fds.get(0).get(), notices.buffer(), len);
        if (rc < 0 && rc != -Errno.ENOENT) { // ENOENT: the kernel had nothing cached
            LOG.warning("cannot invalidate " + name + ": " + Errno.name((int) -rc));
        }
    }

    /**
     * Stops answering for a nestletd that takes over the same connection (both hold its fds): the
     * reader threads, blocked in read(2), leave without answering whatever they read next, and the
     * new nestletd has the kernel send it again ({@link #resendUnanswered()}) once this process is
     * gone. Nothing is unmounted or closed.
     */
    public void handOver() {
        handedOver = true;
        closed = true;
        deferred.shutdownNow();
    }

    /**
     * Unmounts (lazily) the host mount. Reader threads end once the kernel drops the connection,
     * which happens when no bind of it is left anywhere; the caller detaches those first. When the
     * store keeps the fds, nothing is unmounted: the connection waits, readers blocked, for the
     * next nestletd, and what a reader thread was answering is sent again to it.
     */
    @Override
    public void close() {
        closed = true;
        deferred.shutdownNow();
        if (store.keeps()) {
            return;
        }
        try {
            MountCalls.umount2(
                    mountPoint.toString(), MountCalls.MNT_DETACH | MountCalls.UMOUNT_NOFOLLOW);
        } catch (SysException e) {
            if (!e.is(Errno.EINVAL) && !e.is(Errno.ENOENT)) {
                LOG.warning("cannot unmount " + mountPoint + ": " + e.getMessage());
            }
        }
        for (Thread t : threads) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (threads.stream().noneMatch(Thread::isAlive)) {
            fds.forEach(Fd::close);
        }
    }
}
