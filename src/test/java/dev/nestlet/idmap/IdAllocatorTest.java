package dev.nestlet.idmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdAllocatorTest {
    @TempDir Path dir;

    private IdAllocator allocator(int blocks) throws Exception {
        return new IdAllocator(
                Optional.of(IdPool.explicit(100000, 200000, blocks * 65536L, 65536)),
                "none",
                dir.resolve("journal"));
    }

    @Test
    void rangesAreExclusiveAndReusedOnlyAfterRelease() throws Exception {
        try (IdAllocator a = allocator(2)) {
            IdRange r1 = a.allocate("a");
            IdRange r2 = a.allocate("b");
            assertEquals(new IdRange(100000, 200000, 65536), r1);
            assertEquals(new IdRange(165536, 265536, 65536), r2);
            assertEquals(r1, a.allocate("a"), "asking again returns the same range");
            NestletException e = assertThrows(NestletException.class, () -> a.allocate("c"));
            assertEquals(ErrorCode.POOL_EXHAUSTED, e.code());
            a.free("a");
            a.free("a");
            assertEquals(r1, a.allocate("c"));
        }
    }

    @Test
    void aRestartSeesWhatWasAllocated() throws Exception {
        IdRange r1;
        try (IdAllocator a = allocator(3)) {
            r1 = a.allocate("a");
            a.allocate("b");
            a.free("b");
        }
        try (IdAllocator again = allocator(3)) {
            assertEquals(List.of(new Allocation("a", r1, false)), again.inUse());
            assertNotEquals(r1, again.allocate("c"), "never handed out twice");
        }
    }

    @Test
    void aTornLastLineIsIgnored() throws Exception {
        try (IdAllocator a = allocator(2)) {
            a.allocate("a");
        }
        Files.writeString(
                dir.resolve("journal"),
                "{\"op\":\"alloc\",\"id\":\"b\",\"ui",
                StandardOpenOption.APPEND);
        try (IdAllocator again = allocator(2)) {
            assertEquals(1, again.inUse().size());
            assertEquals("a", again.inUse().get(0).id());
        }
    }

    @Test
    void journalIsCompactedWhenItGrows() throws Exception {
        try (IdAllocator a = allocator(2)) {
            a.allocate("keep");
            for (int i = 0; i < 500; i++) {
                a.allocate("x" + i);
                a.free("x" + i);
            }
        }
        assertTrue(Files.readAllLines(dir.resolve("journal")).size() < 300, "compacted");
        try (IdAllocator again = allocator(2)) {
            assertEquals(1, again.inUse().size());
        }
    }

    @Test
    void adoptedMappingsMustStayOutOfThePoolAndOfOthers() throws Exception {
        try (IdAllocator a = allocator(2)) {
            IdRange outside = new IdRange(900000, 900000, 65536);
            assertEquals(
                    outside, a.adopt("engine", outside, List.of(new IdSpan(true, 900000, 65536))));
            NestletException overlapPool =
                    assertThrows(
                            NestletException.class,
                            () ->
                                    a.adopt(
                                            "bad",
                                            new IdRange(100010, 1000000, 10),
                                            List.of(new IdSpan(true, 100010, 10))));
            assertTrue(overlapPool.getMessage().contains("overlaps nestlet's id pool"));
            NestletException overlapOther =
                    assertThrows(
                            NestletException.class,
                            () ->
                                    a.adopt(
                                            "bad2",
                                            new IdRange(900100, 900100, 10),
                                            List.of(new IdSpan(true, 900100, 10))));
            assertTrue(overlapOther.getMessage().contains("engine"));
            assertEquals(2, a.free().size(), "adopted ranges do not consume the pool");
        }
    }

    @Test
    void noPoolGivesTheConfiguredReason() throws Exception {
        try (IdAllocator a =
                new IdAllocator(Optional.empty(), "add nestlet to /etc/subuid", dir.resolve("j"))) {
            NestletException e = assertThrows(NestletException.class, () -> a.allocate("x"));
            assertEquals("add nestlet to /etc/subuid", e.getMessage());
        }
    }
}
