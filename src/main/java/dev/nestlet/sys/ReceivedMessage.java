package dev.nestlet.sys;

import java.util.List;

/**
 * What one recvmsg(2) brought: the bytes, the fds passed with SCM_RIGHTS (owned by the receiver
 * now) and whether the kernel had to drop fds (MSG_CTRUNC). An empty {@code data} with no fds is
 * the end of the stream.
 */
public record ReceivedMessage(byte[] data, List<Fd> fds, boolean truncatedFds) {
    public ReceivedMessage {
        data = data.clone();
        fds = List.copyOf(fds);
    }

    public boolean isEof() {
        return data.length == 0 && fds.isEmpty();
    }
}
