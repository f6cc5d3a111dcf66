package dev.nestlet.idmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.props.Cases;
import dev.nestlet.props.Gen;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The id allocator under random sequences of allocations, releases, engine-chosen (adopted)
 * mappings, restarts and crashes that leave a torn journal line: after every step the ranges held
 * never overlap, every block of the pool is either held or free (none leaks), a restart sees
 * exactly what was acknowledged, and an allocation fails only when the pool is really exhausted.
 * The number of sequences: {@link Cases}.
 */
class IdAllocatorPropertyTest {
    private static final long BLOCK = 65536;
    private static final int BLOCKS = 4;
    private static final long POOL_UID = 100_000;
    private static final long POOL_GID = 300_000;

    /** Where engines' own mappings are drawn from: outside the pool, small enough to collide. */
    private static final long ENGINE_AREA = 10_000_000;

    private static final Logger JOURNAL_LOG = Logger.getLogger(Journal.class.getName());

    /** One step of a sequence; ids are container names "c0".."c7". */
    sealed interface Step permits Allocate, Free, Adopt, Restart, TornCrash {}

    record Allocate(int id) implements Step {}

    record Free(int id) implements Step {}

    record Adopt(int id, long offset, long size) implements Step {}

    record Restart() implements Step {}

    /** A crash in the middle of writing a record: {@code cut} bytes of it reach the file. */
    record TornCrash(int id, boolean alloc, int cut) implements Step {}

    @BeforeAll
    static void quietTornLineWarnings() {
        JOURNAL_LOG.setLevel(Level.SEVERE); // thousands of torn lines are the point here
    }

    @AfterAll
    static void restoreWarnings() {
        JOURNAL_LOG.setLevel(null);
    }

    /** Up to 50 steps, allocations and releases the most frequent. */
    static List<Step> sequence(SplittableRandom r) {
        List<Step> steps = new ArrayList<>();
        for (int n = r.nextInt(51); n > 0; n--) {
            int id = Gen.between(r, 0, 7);
            steps.add(
                    switch (Gen.weighted(r, 5, 4, 2, 1, 1)) {
                        case 0 -> new Allocate(id);
                        case 1 -> new Free(id);
                        case 2 ->
                                new Adopt(
                                        id,
                                        Gen.between(r, 0L, 20_000L),
                                        Gen.between(r, 1L, 5_000L));
                        case 3 -> new Restart();
                        default -> new TornCrash(id, r.nextBoolean(), Gen.between(r, 1, 200));
                    });
        }
        return steps;
    }

    @Test
    void rangesNeverOverlapNorLeakAcrossRestartsAndCrashes() {
        Cases.forAll(IdAllocatorPropertyTest::sequence, IdAllocatorPropertyTest::holds);
    }

    private static void holds(List<Step> steps) throws IOException {
        Path dir = Files.createTempDirectory("nestlet-idprop");
        Path journal = dir.resolve("journal");
        Map<String, IdRange> model = new HashMap<>();
        IdAllocator a = open(journal);
        try {
            for (Step s : steps) {
                a = apply(s, a, journal, model);
                check(a, model, s);
            }
            a.close();
            a = open(journal);
            check(a, model, new Restart());
        } finally {
            a.close();
            Files.deleteIfExists(journal);
            Files.deleteIfExists(journal.resolveSibling("journal.tmp"));
            Files.delete(dir);
        }
    }

    private static IdAllocator open(Path journal) throws IOException {
        return new IdAllocator(
                Optional.of(IdPool.explicit(POOL_UID, POOL_GID, BLOCKS * BLOCK, BLOCK)),
                "no pool",
                journal);
    }

    private static IdAllocator apply(
            Step s, IdAllocator a, Path journal, Map<String, IdRange> model) throws IOException {
        if (s instanceof Allocate al) {
            String id = "c" + al.id();
            List<IdRange> free = a.free();
            if (model.containsKey(id)) {
                assertEquals(model.get(id), a.allocate(id), "asking again: the same range");
            } else if (free.isEmpty()) {
                NestletException e = assertThrows(NestletException.class, () -> a.allocate(id));
                assertEquals(ErrorCode.POOL_EXHAUSTED, e.code());
            } else {
                IdRange r = a.allocate(id);
                assertEquals(free.get(0), r, "the lowest free block");
                model.put(id, r);
            }
        } else if (s instanceof Free f) {
            a.free("c" + f.id());
            model.remove("c" + f.id());
        } else if (s instanceof Adopt ad) {
            String id = "c" + ad.id();
            long size = ad.size();
            IdRange r = new IdRange(ENGINE_AREA + ad.offset(), ENGINE_AREA + ad.offset(), size);
            boolean clash =
                    model.entrySet().stream()
                            .anyMatch(e -> !e.getKey().equals(id) && e.getValue().overlaps(r));
            List<IdSpan> lines =
                    List.of(
                            new IdSpan(true, r.uidBase(), size),
                            new IdSpan(false, r.gidBase(), size));
            if (clash) {
                NestletException e =
                        assertThrows(NestletException.class, () -> a.adopt(id, r, lines));
                assertEquals(ErrorCode.CONFLICT, e.code());
            } else {
                assertEquals(r, a.adopt(id, r, lines));
                model.put(id, r);
            }
        } else if (s instanceof Restart) {
            a.close();
            return open(journal);
        } else if (s instanceof TornCrash t) {
            a.close();
            int n = t.id();
            String line =
                    t.alloc()
                            ? "{\"op\":\"alloc\",\"id\":\"c"
                                    + n
                                    + "\",\"uid\":"
                                    + POOL_UID
                                    + ",\"gid\":"
                                    + POOL_GID
                                    + ",\"size\":"
                                    + BLOCK
                                    + ",\"adopted\":false}\n"
                            : "{\"op\":\"free\",\"id\":\"c" + n + "\"}\n";
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            Files.write(
                    journal,
                    Arrays.copyOf(bytes, Math.min(t.cut(), bytes.length - 1)),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return open(journal);
        }
        return a;
    }

    /** What the allocator says matches the model; held ranges are disjoint; no block leaks. */
    private static void check(IdAllocator a, Map<String, IdRange> model, Step after) {
        String ctx = "after " + after;
        Map<String, IdRange> held = new HashMap<>();
        for (Allocation x : a.inUse()) {
            held.put(x.id(), x.range());
        }
        assertEquals(model, held, ctx);
        List<IdRange> ranges = new ArrayList<>(held.values());
        for (int i = 0; i < ranges.size(); i++) {
            for (int j = i + 1; j < ranges.size(); j++) {
                assertFalse(ranges.get(i).overlaps(ranges.get(j)), ctx + ": " + ranges);
            }
        }
        List<IdRange> free = a.free();
        for (IdRange block : a.pool().orElseThrow().blocks()) {
            boolean isHeld = ranges.stream().anyMatch(block::overlaps);
            assertTrue(isHeld != free.contains(block), ctx + ": block " + block + " leaked");
        }
    }
}
