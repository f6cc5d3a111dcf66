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
    private final boolean groupMayMutate;

    /** Root, and members of {@code group} for the read-only operations only. */
    public PeerPolicy(OptionalInt group) {
        this(group, false);
    }

    /**
     * @param groupMayMutate whether members of {@code group} may also call the operations that
     *     change state
     */
    public PeerPolicy(OptionalInt group, boolean groupMayMutate) {
        this.group = group;
        this.groupMayMutate = groupMayMutate;
    }

    /**
     * Whether {@code peer} may call operations that change state (hook, prepare): root, or the
     * group if so configured.
     */
    public boolean mayMutate(Peer peer) {
        return peer.uid() == 0 || (groupMayMutate && allows(peer));
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
        return group.isPresent()
                ? "root and group " + group.getAsInt() + (groupMayMutate ? "" : " (read-only)")
                : "root only";
    }
}
