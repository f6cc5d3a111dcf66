package dev.nestlet.lifecycle;

import dev.nestlet.fault.CrashPoint;
import dev.nestlet.state.ContainerRecord;

/**
 * One capability nestlet gives a system container (inner data dirs, virtual files, cgroup
 * delegation...). Features run in order at createRuntime and in reverse at poststop; {@link
 * #release} must be idempotent and must work when the container and its namespaces are already
 * gone.
 */
public interface Feature {
    String name();

    /** Where a fault-injection test may crash nestletd right after this feature's createRuntime. */
    CrashPoint crashPoint();

    /** Sets the feature up; returns the record with what it did. */
    ContainerRecord createRuntime(ContainerRecord rec, ContainerAccess access) throws Exception;

    /** Called at createContainer, for runtimes that redo work after createRuntime. */
    default ContainerRecord createContainer(ContainerRecord rec, ContainerAccess access)
            throws Exception {
        return rec;
    }

    /**
     * Called when a restarted nestletd finds the container still running: redo what depended on the
     * previous nestletd process (mounts it served). Returns the record with what it did.
     */
    default ContainerRecord reattach(ContainerRecord rec, ContainerAccess access) throws Exception {
        return rec;
    }

    /** Undoes everything {@link #createRuntime} did on the host. */
    void release(ContainerRecord rec) throws Exception;

    /** Ids of containers this feature has something of on the host (for the reconciler). */
    default java.util.Set<String> leftoverIds() throws Exception {
        return java.util.Set.of();
    }

    /** Removes the host leftovers of {@code id}, which the registry no longer knows. */
    default void removeLeftovers(String id) throws Exception {}
}
