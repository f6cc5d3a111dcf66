package dev.nestlet.idmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdPoolTest {
    @TempDir Path dir;

    @Test
    void entriesOfTheUserAreCutIntoBlocks() throws Exception {
        Files.writeString(
                dir.resolve("subuid"),
                "# comment\ncontainers:100000:65536\nnestlet:1000000:200000\n");
        Files.writeString(
                dir.resolve("subgid"), "containers:100000:65536\nnestlet:2000000:200000\n");
        IdPool p =
                IdPool.fromSubIdFiles(
                        dir.resolve("subuid"), dir.resolve("subgid"), "nestlet", 65536);
        assertEquals(3, p.blocks().size(), "200000 ids hold three whole blocks");
        assertEquals(new IdRange(1000000, 2000000, 65536), p.blocks().get(0));
        assertTrue(p.overlapsPool(new IdSpan(true, 1065536, 1)));
        assertTrue(!p.overlapsPool(new IdSpan(true, 100000, 65536)), "a neighbour is not the pool");
    }

    @Test
    void aPoolOverlappingAnotherUsersIdsIsRefused() throws Exception {
        Files.writeString(dir.resolve("subuid"), "nestlet:100000:131072\npodman:150000:65536\n");
        Files.writeString(dir.resolve("subgid"), "nestlet:100000:131072\n");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                IdPool.fromSubIdFiles(
                                        dir.resolve("subuid"),
                                        dir.resolve("subgid"),
                                        "nestlet",
                                        65536));
        assertTrue(e.getMessage().contains("belongs to another user"), e.getMessage());
    }

    @Test
    void missingFilesOrEntriesGiveAnEmptyPool() throws Exception {
        assertEquals(
                0,
                IdPool.fromSubIdFiles(dir.resolve("none"), dir.resolve("none2"), "nestlet", 65536)
                        .blocks()
                        .size());
    }
}
