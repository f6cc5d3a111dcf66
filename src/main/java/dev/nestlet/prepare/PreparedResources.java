package dev.nestlet.prepare;

import dev.nestlet.fault.CrashPoint;
import dev.nestlet.idmap.IdAllocator;
import dev.nestlet.lifecycle.ContainerAccess;
import dev.nestlet.lifecycle.Feature;
import dev.nestlet.pod.StoppedPods;
import dev.nestlet.shift.RootfsShifter;
import dev.nestlet.state.ContainerRecord;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What prepare set up on the host (the shifted rootfs and volume mounts, the id range), as a
 * feature so that it is released with the container: first in the list, hence released last, after
 * everything that used it. A pod sandbox's range outlives it until the pod is removed ({@link
 * StoppedPods}): the reconciler's sweep frees it then, as a leftover whose pod is gone.
 */
public final class PreparedResources implements Feature {
    private final IdAllocator allocator;
    private final RootfsShifter shifter;
    private final StoppedPods stoppedPods;

    public PreparedResources(
            IdAllocator allocator, RootfsShifter shifter, StoppedPods stoppedPods) {
        this.allocator = allocator;
        this.shifter = shifter;
        this.stoppedPods = stoppedPods;
    }

    @Override
    public String name() {
        return "id range and rootfs shift";
    }

    @Override
    public CrashPoint crashPoint() {
        return CrashPoint.FEATURE_PREPARED_RESOURCES;
    }

    @Override
    public ContainerRecord createRuntime(ContainerRecord rec, ContainerAccess access) {
        return rec;
    }

    @Override
    public void release(ContainerRecord rec) throws Exception {
        shifter.release(rec.id(), rec.shift() == null ? List.of() : rec.shift().mounts());
        if (!stoppedPods.holdAtStop(rec)) {
            allocator.free(rec.id());
        }
    }

    @Override
    public Set<String> leftoverIds() throws Exception {
        Set<String> ids = new HashSet<>(shifter.leftoverIds());
        ids.addAll(allocator.holders());
        ids.addAll(stoppedPods.ids());
        return ids;
    }

    @Override
    public void removeLeftovers(String id) throws Exception {
        shifter.release(id, List.of());
        if (!stoppedPods.held(id)) {
            allocator.free(id);
            stoppedPods.forget(id);
        }
    }
}
