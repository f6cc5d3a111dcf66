package dev.nestlet.api;

import dev.nestlet.proc.ProcStatus;
import java.io.IOException;
import java.util.OptionalInt;

/**
 * Who may talk to nestletd: root always; members of one configured group (primary or supplementary)
 * when a group is set. Everyone else is refused even when the socket's file mode would let them
 * connect.
 */
public final class PeerPolicy {
    private final OptionalInt group;

    public PeerPolicy(OptionalInt group) {
        this.group = group;
    }

    public boolean allows(Peer peer) {
        if (peer.uid() == 0) {
            return true;
        }
        if (group.isEmpty()) {
            return false;
        }
        int g = group.getAsInt();
        return peer.gid() == g || supplementaryGroupsOf(peer.pid()).contains(" " + g + " ");
    }

    private static String supplementaryGroupsOf(int pid) {
        try {
            return ProcStatus.of(pid).groups();
        } catch (IOException e) {
            // The peer is gone: it has no groups left to grant it anything.
            return "";
        }
    }

    public String describe() {
        return group.isPresent() ? "root and group " + group.getAsInt() : "root only";
    }
}
