package dev.nestlet.it.support;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.ReceivedMessage;
import dev.nestlet.sys.SocketCalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What systemd's NOTIFY_SOCKET receives, for the tests: every datagram (READY=1, STATUS=...,
 * WATCHDOG=1, FDSTORE=1...) in arrival order with its time; fds sent along (the fd store's) are
 * closed at once, as a systemd that keeps nothing would.
 */
public final class NotifySocket implements AutoCloseable {
    /** One datagram and when it came (System.nanoTime()). */
    public record Message(long nanos, String text) {}

    private final Path path;
    private final Fd fd;
    private final List<Message> messages = new ArrayList<>();
    private final Thread reader;
    private volatile boolean closed;

    public NotifySocket(Path path) {
        this.path = path;
        this.fd = SocketCalls.bindDatagram(path.toString());
        this.reader = new Thread(this::read, "notify-socket");
        reader.setDaemon(true);
        reader.start();
    }

    public Path path() {
        return path;
    }

    private void read() {
        while (!closed) {
            if (!SocketCalls.awaitReadable(fd, 100)) {
                continue;
            }
            ReceivedMessage m = SocketCalls.receiveWithFds(fd, 64 * 1024, 16);
            m.fds().forEach(Fd::close);
            synchronized (messages) {
                messages.add(
                        new Message(
                                System.nanoTime(), new String(m.data(), StandardCharsets.UTF_8)));
                messages.notifyAll();
            }
        }
    }

    public List<Message> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /** The first datagram that matches, waiting up to {@code timeout} for it. */
    public Optional<Message> await(Predicate<String> match, Duration timeout)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (messages) {
            while (true) {
                for (Message m : messages) {
                    if (match.test(m.text())) {
                        return Optional.of(m);
                    }
                }
                long left = (end - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return Optional.empty();
                }
                messages.wait(left);
            }
        }
    }

    /** The datagrams with a line that starts with {@code prefix}, those lines only. */
    public List<String> lines(String prefix) {
        List<String> out = new ArrayList<>();
        for (Message m : messages()) {
            for (String line : m.text().split("\n")) {
                if (line.startsWith(prefix)) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        reader.join();
        fd.close();
    }
}
