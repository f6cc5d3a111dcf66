package dev.nestlet.ops;

import dev.nestlet.api.Operation;
import dev.nestlet.api.Peer;
import dev.nestlet.idmap.Allocation;
import dev.nestlet.idmap.IdAllocator;
import dev.nestlet.idmap.IdPool;
import dev.nestlet.idmap.IdRange;
import java.util.List;

/** op "allocations": id ranges in use (by container) and free in the pool. */
public final class AllocationsOperation implements Operation<AllocationsOperation.Params> {
    public record Params() {}

    /** {@code pool} describes where the pool comes from, or why there is none. */
    public record Result(String pool, long rangeSize, List<Allocation> inUse, List<IdRange> free) {}

    private final IdAllocator allocator;

    public AllocationsOperation(IdAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public String name() {
        return "allocations";
    }

    @Override
    public Class<Params> params() {
        return Params.class;
    }

    @Override
    public Object handle(Params p, Peer peer) {
        return new Result(
                allocator.pool().map(IdPool::source).orElse("none: " + allocator.noPoolReason()),
                allocator.pool().map(IdPool::blockSize).orElse(0L),
                allocator.inUse(),
                allocator.free());
    }
}
