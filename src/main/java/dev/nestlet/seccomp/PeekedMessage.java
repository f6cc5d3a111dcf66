package dev.nestlet.seccomp;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.ReceivedMessage;
import dev.nestlet.sys.SocketCalls;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One container process state and its listener fd, read from a runtime's connection without taking
 * them off it ({@code MSG_PEEK}; Linux installs peeked SCM_RIGHTS fds too). Until {@link #consume}
 * the message stays queued on the connection, so a connection kept in the fd store before the read
 * still carries the listener fd if nestletd dies before the fd itself is kept: the next nestletd
 * reads it again.
 *
 * @param listener the seccomp listener fd, owned by whoever took this message
 * @param length how many bytes the message is on the connection
 */
record PeekedMessage(Fd listener, ProcessState state, int length) {
    private static final int READ_TIMEOUT_MS = 2000;
    private static final int MAX_FDS = 8;

    /** How long to wait before peeking again when the bytes so far are not a whole message. */
    private static final long REPEEK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /**
     * Peeks until the bytes queued on {@code conn} are one whole JSON object (at most {@link
     * ProcessState#MAX_BYTES}), within {@link #READ_TIMEOUT_MS}; checks that the fds match its
     * {@code fds}. Throws IllegalArgumentException saying what is wrong; no fd is left open then.
     */
    static PeekedMessage peek(Fd conn) {
        SocketCalls.peekFromStart(conn);
        byte[] buf = new byte[ProcessState.MAX_BYTES];
        int len = 0;
        List<Fd> fds = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + READ_TIMEOUT_MS * 1_000_000L;
            while (!ProcessState.isComplete(buf, len)) {
                int left = (int) ((deadline - System.nanoTime()) / 1_000_000L);
                // Before the first byte poll says when one comes; once bytes are peeked the socket
                // polls readable until they are consumed, so a wait for more is a short sleep.
                boolean waited =
                        len == 0 ? left > 0 && SocketCalls.awaitReadable(conn, left) : left > 0;
                if (!waited) {
                    throw new IllegalArgumentException(
                            "no complete message within " + READ_TIMEOUT_MS + " ms");
                }
                if (len == buf.length) {
                    throw new IllegalArgumentException(
                            "message longer than " + buf.length + " bytes");
                }
                Optional<ReceivedMessage> peeked =
                        SocketCalls.peekWithFds(conn, buf.length - len, MAX_FDS);
                if (peeked.isEmpty()) {
                    LockSupport.parkNanos(REPEEK_NANOS);
                    continue;
                }
                ReceivedMessage m = peeked.get();
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
            return new PeekedMessage(fds.remove(state.fdIndex()), state, len);
        } finally {
            fds.forEach(Fd::close);
        }
    }

    /**
     * Takes the message off {@code conn} for real, closing the second copies of its fds the kernel
     * hands out then; the peer sees a connection read to the end, as before peeking existed.
     */
    void consume(Fd conn) {
        int left = length;
        while (left > 0) {
            ReceivedMessage m = SocketCalls.receiveWithFds(conn, left, MAX_FDS);
            m.fds().forEach(Fd::close);
            if (m.isEof()) {
                return;
            }
            left -= m.data().length;
        }
    }
}
