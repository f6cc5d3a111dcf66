package dev.nestlet.ops;

import dev.nestlet.api.Peer;
import dev.nestlet.api.TextOperation;
import dev.nestlet.idmap.Allocation;
import dev.nestlet.idmap.IdAllocator;
import dev.nestlet.idmap.IdPool;
import dev.nestlet.idmap.IdRange;
import dev.nestlet.pod.StoppedPod;
import dev.nestlet.pod.StoppedPods;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * op "allocations": id ranges in use (by container) and free in the pool, and which of them stopped
 * pods still hold until they are removed.
 */
public final class AllocationsOperation
        implements TextOperation<AllocationsOperation.Params, AllocationsOperation.Result> {
    public record Params() {}

    /**
     * {@code pool} describes where the pool comes from, or why there is none; {@code stoppedPods}
     * are the pods whose sandbox stopped and whose range (held by the sandbox's id) stays in use
     * until RemovePodSandbox.
     */
    public record Result(
            String pool,
            long rangeSize,
            List<Allocation> inUse,
            List<IdRange> free,
            List<StoppedPod> stoppedPods) {}

    private final IdAllocator allocator;
    private final StoppedPods stoppedPods;

    public AllocationsOperation(IdAllocator allocator, StoppedPods stoppedPods) {
        this.allocator = allocator;
        this.stoppedPods = stoppedPods;
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
    public Result result(Params p, Peer peer) throws IOException {
        return new Result(
                allocator.pool().map(IdPool::source).orElse("none: " + allocator.noPoolReason()),
                allocator.pool().map(IdPool::blockSize).orElse(0L),
                allocator.inUse(),
                allocator.free(),
                stoppedPods.all());
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
        Map<String, StoppedPod> stopped = new HashMap<>();
        r.stoppedPods().forEach(s -> stopped.put(s.sandboxId(), s));
        for (Allocation a : r.inUse()) {
            IdRange range = a.range();
            StoppedPod s = stopped.get(a.id());
            out.append(
                    String.format(
                            "%-24s %-12d %-12d %-8d %s\n",
                            a.id(),
                            range.uidBase(),
                            range.gidBase(),
                            range.size(),
                            (a.adopted() ? "engine" : "pool")
                                    + (s == null
                                            ? ""
                                            : ", held: pod "
                                                    + s.pod()
                                                    + " stopped, not removed ("
                                                    + s.removedWith()
                                                    + " is there)")));
        }
        out.append("free: ").append(r.free().size()).append(" range(s)");
        if (!r.free().isEmpty()) {
            out.append(", first at uid ").append(r.free().get(0).uidBase());
        }
        return out.append("\n").toString();
    }
}
