package dev.nestlet.idmap;

import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Hands every system container a range of host ids that no other live container holds. Each change
 * is journalled before it is used, so a restarted nestletd never hands a range out twice.
 */
public final class IdAllocator implements AutoCloseable {
    private final Optional<IdPool> pool;
    private final String noPoolReason;
    private final Journal journal;
    private final Map<String, Allocation> live;

    /**
     * @param pool empty when no pool is configured; allocation then fails with {@code noPoolReason}
     */
    public IdAllocator(Optional<IdPool> pool, String noPoolReason, Path journalFile)
            throws IOException {
        this.pool = pool;
        this.noPoolReason = noPoolReason;
        this.journal = new Journal(journalFile);
        this.live = journal.replay();
    }

    /** The range of {@code id}: the one it already holds, else the lowest free block. */
    public synchronized IdRange allocate(String id) throws IOException {
        Allocation held = live.get(id);
        if (held != null) {
            return held.range();
        }
        IdPool p =
                pool.orElseThrow(
                        () -> new NestletException(ErrorCode.POOL_EXHAUSTED, noPoolReason));
        List<IdRange> free = freeBlocks(p);
        if (!free.isEmpty()) {
            return record(new Allocation(id, free.get(0), false));
        }
        throw new NestletException(
                ErrorCode.POOL_EXHAUSTED,
                "all "
                        + p.blocks().size()
                        + " id ranges of "
                        + p.blockSize()
                        + " from "
                        + p.source()
                        + " are in use");
    }

    /**
     * Records a mapping the engine chose ({@code range}: its root line; {@code lines}: every line);
     * none of it may touch the pool, nor the range of another live container.
     */
    public synchronized IdRange adopt(String id, IdRange range, List<IdSpan> lines)
            throws IOException {
        Allocation held = live.get(id);
        if (held != null && held.range().equals(range)) {
            return range;
        }
        for (IdSpan line : lines) {
            if (IdPool.belowFloor(line.start(), line.count())) {
                throw new NestletException(
                        ErrorCode.BAD_BUNDLE,
                        "the container's own id mapping ("
                                + (line.uids() ? "uids " : "gids ")
                                + line.start()
                                + "+"
                                + line.count()
                                + ") includes host "
                                + (line.uids() ? "uid" : "gid")
                                + " 0: a system container gets every capability inside its user"
                                + " namespace, so host root may not be mapped into it");
            }
        }
        for (IdSpan line : lines) {
            if (pool.isPresent() && pool.get().overlapsPool(line)) {
                throw new NestletException(
                        ErrorCode.CONFLICT,
                        "the container's own id mapping ("
                                + (line.uids() ? "uids " : "gids ")
                                + line.start()
                                + "+"
                                + line.count()
                                + ") overlaps nestlet's id pool ("
                                + pool.get().source()
                                + ")");
            }
        }
        for (Allocation a : live.values()) {
            if (!a.id().equals(id) && a.range().overlaps(range)) {
                throw new NestletException(
                        ErrorCode.CONFLICT,
                        "the container's own id mapping "
                                + range
                                + " overlaps the range of container "
                                + a.id());
            }
        }
        return record(new Allocation(id, range, true));
    }

    private IdRange record(Allocation a) throws IOException {
        journal.allocated(a);
        live.put(a.id(), a);
        return a.range();
    }

    /** Releases the range of {@code id}; releasing twice is harmless. */
    public synchronized void free(String id) throws IOException {
        if (live.remove(id) != null) {
            journal.freed(id);
            journal.compactIfLarge(live.values());
        }
    }

    public synchronized Optional<Allocation> get(String id) {
        return Optional.ofNullable(live.get(id));
    }

    public synchronized List<Allocation> inUse() {
        return new ArrayList<>(live.values());
    }

    /** Blocks of the pool no live container touches. */
    public synchronized List<IdRange> free() {
        return pool.map(this::freeBlocks).orElse(List.of());
    }

    /**
     * Pool blocks in order, minus those held. Held ranges that are exactly a block are found by
     * their base; any other held range (adopted, or from a pool configured differently before a
     * restart) is checked for overlap.
     */
    private List<IdRange> freeBlocks(IdPool p) {
        Set<IdRange> exact = new HashSet<>(p.blocks());
        Set<Long> heldBases = new HashSet<>();
        List<IdRange> odd = new ArrayList<>();
        for (Allocation a : live.values()) {
            if (exact.contains(a.range())) {
                heldBases.add(a.range().uidBase());
            } else {
                odd.add(a.range());
            }
        }
        List<IdRange> out = new ArrayList<>();
        for (IdRange b : p.blocks()) {
            if (!heldBases.contains(b.uidBase()) && odd.stream().noneMatch(b::overlaps)) {
                out.add(b);
            }
        }
        return out;
    }

    public Optional<IdPool> pool() {
        return pool;
    }

    public String noPoolReason() {
        return noPoolReason;
    }

    /** Ids that hold a range, for the reconciler. */
    public synchronized Collection<String> holders() {
        return new ArrayList<>(live.keySet());
    }

    @Override
    public synchronized void close() throws IOException {
        journal.close();
    }
}
