package dev.nestlet.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoreNameTest {
    @Test
    void aListenerNameSaysItsProcessSequenceAndContainer() {
        StoreName n = StoreName.parse("seccomp/4711/1764495000000001/ci-runner-7").orElseThrow();
        assertEquals(StoreName.listener(4711, 1764495000000001L, "ci-runner-7"), n);
        assertEquals("seccomp/4711/1764495000000001/ci-runner-7", n.toString());
    }

    @Test
    void aContainerIdMayHoldSlashes() {
        assertEquals(
                "a/b",
                StoreName.parse("seccomp/1/2/a/b").orElseThrow().containerId(),
                "the id is everything after the sequence number");
    }

    @Test
    void aConnectionNameSharesTheSequenceOfItsListener() {
        StoreName conn = StoreName.connection(99);
        assertEquals("seccomp/conn/99", conn.toString());
        StoreName parsed = StoreName.parse(conn.toString()).orElseThrow();
        assertTrue(parsed.connection());
        assertEquals(StoreName.listener(5, 99, "c").seq(), parsed.seq());
    }

    @Test
    void namesNotOfEitherFormAreRefused() {
        for (String name :
                new String[] {
                    "fuse/dev",
                    "seccomp/",
                    "seccomp/12",
                    "seccomp/12/34",
                    "seccomp/12/34/",
                    "seccomp/x/34/c",
                    "seccomp/-1/34/c",
                    "seccomp/12/x/c",
                    "seccomp/conn/x",
                    "seccomp/conn/1/2x"
                }) {
            assertEquals(Optional.empty(), StoreName.parse(name), name);
        }
    }
}
