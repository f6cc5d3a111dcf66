package dev.nestlet.vfs;

import dev.nestlet.cgroup.Cgroup;
import dev.nestlet.vfs.sysctl.ContainerSysctls;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the virtual files of one container are computed from: its cgroup, when its init started, its
 * sampled load and its sysctl values. One view per registered container; its files live under
 * {@code MOUNT/ID/} and are bound into that container only.
 */
public final class ContainerView {
    private final String id;
    private final long startTicks;
    private final Cgroup cgroup;
    private final ContainerSysctls sysctls;
    private final long created = System.currentTimeMillis() / 1000;
    private final AtomicInteger openFiles = new AtomicInteger();
    private volatile LoadAverage load = LoadAverage.NONE;

    /**
     * The view of a container prepared for nestlet-runtime, whose init does not run yet: its files
     * exist (the runtime binds them from config.json) but read empty until createRuntime replaces
     * it with the container's own view.
     */
    static ContainerView pending(String id) {
        // No sysctl values, hence no sysctl files, and nothing to write to.
        return new ContainerView(
                id, 0, null, new ContainerSysctls(0, 0, Map.of(), (s, v, a) -> {}));
    }

    /**
     * @param startTicks start time of its init in clock ticks since the host booted (/proc/PID/stat
     *     field 22)
     */
    public ContainerView(String id, long startTicks, Cgroup cgroup, ContainerSysctls sysctls) {
        this.id = id;
        this.startTicks = startTicks;
        this.cgroup = cgroup;
        this.sysctls = sysctls;
    }

    /** Whether this is a prepared container's stand-in ({@link #pending}), with no cgroup yet. */
    boolean pending() {
        return cgroup == null;
    }

    public String id() {
        return id;
    }

    public Cgroup cgroup() {
        return cgroup;
    }

    public ContainerSysctls sysctls() {
        return sysctls;
    }

    public LoadAverage load() {
        return load;
    }

    void load(LoadAverage l) {
        this.load = l;
    }

    long created() {
        return created;
    }

    /**
     * Open snapshots of this container's files, bounded so that no container can fill nestletd's
     * heap.
     */
    AtomicInteger openFiles() {
        return openFiles;
    }

    /** Seconds the container has run, given the host's uptime. */
    public double uptimeSeconds(double hostUptimeSeconds) {
        return Math.max(0, hostUptimeSeconds - (double) startTicks / HostFiles.TICKS_PER_SECOND);
    }
}
