package dev.nestlet.idmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: host uid/gid 0 never goes to a system container, from a pool or an engine's mapping.
 */
class HostRootMappingTest {
    @TempDir Path dir;

    @Test
    void poolsContainingHostRootAreRefused() throws Exception {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> IdPool.explicit(0, 0, 65536, 65536),
                        "--id-pool 0:0:65536");
        assertTrue(e.getMessage().contains("uid or gid 0"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> IdPool.explicit(100000, 0, 65536, 65536),
                "gid 0 alone");
        Path subuid = Files.writeString(dir.resolve("subuid"), "nestlet:0:131072\n");
        Path subgid = Files.writeString(dir.resolve("subgid"), "nestlet:0:131072\n");
        assertThrows(
                IllegalArgumentException.class,
                () -> IdPool.fromSubIdFiles(subuid, subgid, "nestlet", 65536),
                "a subid entry from 0");
        assertEquals(
                1, IdPool.explicit(1, 1, 65536, 65536).blocks().size(), "host id 1 is the floor");
    }

    @Test
    void adoptedMappingsContainingHostRootAreRefused() throws Exception {
        try (IdAllocator a =
                new IdAllocator(
                        Optional.of(IdPool.explicit(1_000_000, 1_000_000, 65536, 65536)),
                        "none",
                        dir.resolve("journal"))) {
            NestletException e =
                    assertThrows(
                            NestletException.class,
                            () ->
                                    a.adopt(
                                            "c1",
                                            new IdRange(0, 0, 65536),
                                            List.of(
                                                    new IdSpan(true, 0, 65536),
                                                    new IdSpan(false, 0, 65536))),
                            "0 -> host 0");
            assertEquals(ErrorCode.BAD_BUNDLE, e.code());
            assertTrue(e.getMessage().contains("host uid 0"), e.getMessage());
            assertThrows(
                    NestletException.class,
                    () ->
                            a.adopt(
                                    "c2",
                                    new IdRange(500000, 500000, 65536),
                                    List.of(
                                            new IdSpan(true, 500000, 65536),
                                            new IdSpan(true, 0, 1),
                                            new IdSpan(false, 500000, 65536))),
                    "a second line that maps host root");
            assertEquals(
                    new IdRange(500000, 500000, 65536),
                    a.adopt(
                            "c3",
                            new IdRange(500000, 500000, 65536),
                            List.of(
                                    new IdSpan(true, 500000, 65536),
                                    new IdSpan(false, 500000, 65536))),
                    "others are fine");
        }
    }
}
