package dev.nestlet.ops;

import dev.nestlet.api.Peer;
import dev.nestlet.api.TextOperation;
import dev.nestlet.idmap.Allocation;
import dev.nestlet.idmap.IdAllocator;
import dev.nestlet.idmap.IdPool;
import dev.nestlet.idmap.IdRange;
import java.util.List;

/** op "allocations": id ranges in use (by container) and free in the pool. */
public final class AllocationsOperation
        implements TextOperation<AllocationsOperation.Params, AllocationsOperation.Result> {
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
    public Result result(Params p, Peer peer) {
        return new Result(
                allocator.pool().map(IdPool::source).orElse("none: " + allocator.noPoolReason()),
                allocator.pool().map(IdPool::blockSize).orElse(0L),
                allocator.inUse(),
                allocator.free());
    }

    @Override
    public String text(Result r) {
        StringBuilder out = new StringBuilder();
        out.append("pool: ").append(r.pool()).append(" (ranges of ").append(r.rangeSize());
        out.append(")\n");
        out.append(
                String.format(
                        "%-24s %-12s %-12s %-8s %s\n",
                        "CONTAINER", "UID BASE", "GID BASE", "SIZE", "FROM"));
        for (Allocation a : r.inUse()) {
            IdRange range = a.range();
            out.append(
                    String.format(
                            "%-24s %-12d %-12d %-8d %s\n",
                            a.id(),
                            range.uidBase(),
                            range.gidBase(),
                            range.size(),
                            a.adopted() ? "engine" : "pool"));
        }
        out.append("free: ").append(r.free().size()).append(" range(s)");
        if (!r.free().isEmpty()) {
            out.append(", first at uid ").append(r.free().get(0).uidBase());
        }
        return out.append("\n").toString();
    }
}
