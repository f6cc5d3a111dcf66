package dev.nestlet.seccomp;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.ReceivedMessage;
import dev.nestlet.sys.SocketCalls;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The unix socket a container's {@code linux.seccomp.listenerPath} names. A runtime connects once
 * per container process that loads the filter, sends the container process state as JSON with the
 * listener fd in SCM_RIGHTS, and may keep its end open (runc does): the message is read until it is
 * one whole JSON object, within {@link #READ_TIMEOUT_MS}. The socket is mode 0600 in a 0700
 * directory: only host root (the runtime) can connect.
 */
final class NotifyListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NotifyListener.class.getName());
    static final int READ_TIMEOUT_MS = 2000;
    private static final int MAX_FDS = 8;

    private final Path path;
    private final BiConsumer<Fd, ProcessState> sink;
    private final Fd socket;
    private final Thread thread;
    private volatile boolean closed;

    NotifyListener(Path path, BiConsumer<Fd, ProcessState> sink) throws IOException {
        this.path = path;
        this.sink = sink;
        Files.createDirectories(
                path.getParent(),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(
                path.getParent(), PosixFilePermissions.fromString("rwx------"));
        Files.deleteIfExists(path); // a previous nestletd's; nobody can be listening on it any more
        this.socket = SocketCalls.listenStream(path.toString(), 64);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        this.thread = new Thread(this::acceptLoop, "seccomp-listener");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closed) {
            Fd conn;
            try {
                conn = SocketCalls.accept(socket);
            } catch (SysException e) {
                if (!closed) {
                    LOG.log(
                            Level.SEVERE,
                            "seccomp: accept on " + path + " failed; listener stops",
                            e);
                }
                return;
            }
            try (conn) {
                receive(conn);
            } catch (RuntimeException e) {
                LOG.warning("seccomp: refused a listener connection: " + e.getMessage());
            }
        }
    }

    /** Reads one container process state and its fd from {@code conn}, then hands the fd on. */
    private void receive(Fd conn) {
        byte[] buf = new byte[ProcessState.MAX_BYTES];
        int len = 0;
        List<Fd> fds = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + READ_TIMEOUT_MS * 1_000_000L;
            while (!ProcessState.isComplete(buf, len)) {
                int left = (int) ((deadline - System.nanoTime()) / 1_000_000L);
                if (left <= 0 || !SocketCalls.awaitReadable(conn, left)) {
                    throw new IllegalArgumentException(
                            "no complete message within " + READ_TIMEOUT_MS + " ms");
                }
                if (len == buf.length) {
                    throw new IllegalArgumentException(
                            "message longer than " + buf.length + " bytes");
                }
                ReceivedMessage m = SocketCalls.receiveWithFds(conn, buf.length - len, MAX_FDS);
                fds.addAll(m.fds());
                if (m.truncatedFds()) {
                    throw new IllegalArgumentException("more than " + MAX_FDS + " fds sent");
                }
                if (m.isEof()) {
                    break;
                }
                System.arraycopy(m.data(), 0, buf, len, m.data().length);
                len += m.data().length;
            }
            ProcessState state = ProcessState.parse(Arrays.copyOf(buf, len));
            if (fds.size() != state.fds().size()) {
                throw new IllegalArgumentException(fds.size() + " fds sent for " + state.fds());
            }
            Fd fd = fds.remove(state.fdIndex());
            sink.accept(fd, state);
        } finally {
            fds.forEach(Fd::close);
        }
    }

    @Override
    public void close() {
        closed = true;
        SocketCalls.shutdown(socket);
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.fine("cannot remove " + path + ": " + e);
        }
    }
}
