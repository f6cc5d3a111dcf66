package dev.nestlet.vfs.fuse;

import dev.nestlet.proc.MountInfo;
import dev.nestlet.proc.MountTable;
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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The FUSE transport: nestletd opens /dev/fuse, mounts it itself (no libfuse, no fusermount) and
 * serves it with a few platform threads, each blocked in read(2) on its own clone of the session
 * fd, answering each request synchronously on the fd it came from. Rendering a file takes tens of
 * microseconds, so no request waits behind a slow one for long and no hand-off to a pool pays off.
 */
public final class FuseServer implements AutoCloseable {
    /**
     * Answers one request into the reply buffer; returns its length, or -1 when the request takes
     * no reply.
     */
    public interface Handler {
        int handle(FuseRequest request, FuseReply reply);
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

    private final Path mountPoint;
    private final Handler handler;
    private final List<Fd> fds = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final FuseReply notices =
            new FuseReply(ByteBuffer.allocateDirect(FuseProtocol.OUT_HEADER + 512));
    private volatile boolean closed;

    private FuseServer(Path mountPoint, Handler handler) {
        this.mountPoint = mountPoint;
        this.handler = handler;
    }

    /**
     * Mounts a fresh FUSE file system at {@code mountPoint}, first taking away a dead one a killed
     * nestletd may have left there (its readers would get "Transport endpoint is not connected").
     */
    public static FuseServer mount(Path mountPoint, Handler handler, int threadCount)
            throws IOException {
        removeStale(mountPoint);
        Files.createDirectories(mountPoint);
        FuseServer s = new FuseServer(mountPoint, handler);
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
            Fd fd = s.fds.get(i);
            Thread t = new Thread(() -> s.serve(fd), "fuse-" + i);
            t.setDaemon(true);
            s.threads.add(t);
            t.start();
        }
        LOG.info("virtual files served at " + mountPoint + " by " + threadCount + " thread(s)");
        return s;
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
            FuseRequest req = null;
            int replyLen;
            try {
                req = FuseRequest.decode(in, (int) len);
                replyLen = handler.handle(req, out);
            } catch (RuntimeException e) {
                LOG.log(
                        Level.WARNING,
                        "FUSE request " + (req == null ? "?" : req.opcode()) + " failed",
                        e);
                if (req == null) {
                    continue;
                }
                replyLen = out.error(req.unique(), Errno.EIO);
            }
            if (replyLen > 0) {
                long rc = FuseCalls.writeReply(n, out.buffer(), replyLen);
                if (rc < 0 && rc != -Errno.ENOENT) { // ENOENT: the caller was interrupted and left
                    LOG.warning(
                            "FUSE reply to request "
                                    + req.opcode()
                                    + " failed: "
                                    + Errno.name((int) -rc));
                }
            }
        }
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
     * Unmounts (lazily) the host mount. Reader threads end once the kernel drops the connection,
     * which happens when no bind of it is left anywhere; the caller detaches those first.
     */
    @Override
    public void close() {
        closed = true;
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
