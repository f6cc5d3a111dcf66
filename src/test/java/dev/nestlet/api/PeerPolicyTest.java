package dev.nestlet.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PeerPolicyTest {
    @Test
    void rootOnlyByDefault() {
        PeerPolicy p = new PeerPolicy(OptionalInt.empty());
        assertTrue(p.allows(new Peer(1, 0, 0)));
        assertFalse(p.allows(new Peer(1, 1000, 1000)));
    }

    @Test
    void configuredGroupByPrimaryGid() {
        PeerPolicy p = new PeerPolicy(OptionalInt.of(4242));
        assertTrue(p.allows(new Peer(Integer.MAX_VALUE, 1000, 4242)));
        assertFalse(
                p.allows(new Peer(Integer.MAX_VALUE, 1000, 1000)), "a gone process has no groups");
    }
}
