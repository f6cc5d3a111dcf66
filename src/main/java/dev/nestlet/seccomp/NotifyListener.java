package dev.nestlet.seccomp;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.SocketCalls;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The unix socket a container's {@code linux.seccomp.listenerPath} names. A runtime connects once
 * per container process that loads the filter, sends the container process state as JSON with the
 * listener fd in SCM_RIGHTS, and may keep its end open (runc does). Each accepted connection goes
 * to the sink, one at a time on this thread, and is closed when the sink returns; reading it is the
 * sink's ({@link PeekedMessage}). The socket is mode 0600 in a 0700 directory: only host root (the
 * runtime) can connect.
 */
final class NotifyListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NotifyListener.class.getName());

    private final Path path;
    private final Consumer<Fd> sink;
    private final Fd socket;
    private final Thread thread;
    private volatile boolean closed;

    NotifyListener(Path path, Consumer<Fd> sink) throws IOException {
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
                sink.accept(conn);
            } catch (RuntimeException e) {
                LOG.warning("seccomp: refused a listener connection: " + e.getMessage());
            }
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
