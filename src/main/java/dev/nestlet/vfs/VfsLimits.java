package dev.nestlet.vfs;

import dev.nestlet.quota.CpuBudget;

/**
 * How the virtual files are served and bounded.
 *
 * @param threads FUSE reader threads
 * @param inFlightPerContainer requests of one container answered at once; beyond, they wait in that
 *     container's queue, so at least {@code threads - inFlightPerContainer} threads stay free for
 *     the others
 * @param cpuPercent the CPU time of nestletd's FUSE threads one container may use, in percent of
 *     one CPU; beyond, its requests wait until it is back under (0: no budget)
 * @param snapshots what open files may hold
 */
public record VfsLimits(
        int threads, int inFlightPerContainer, int cpuPercent, SnapshotLimits snapshots) {
    /** {@code --container-cpu-budget}'s default. */
    public static final int DEFAULT_CPU_PERCENT = 50;

    /**
     * CPU time a container that was idle may use at once before its budget applies: a container's
     * start reads a few dozen files, which must not wait.
     */
    static final long CPU_BURST_NANOS = 20_000_000;

    public VfsLimits {
        if (threads < 1 || inFlightPerContainer < 1 || cpuPercent < 0) {
            throw new IllegalArgumentException(
                    threads
                            + " threads, "
                            + inFlightPerContainer
                            + " in flight per container, "
                            + cpuPercent
                            + "% CPU");
        }
    }

    /** The defaults for {@code threads} readers: {@link #defaultInFlight}, default snapshots. */
    public static VfsLimits of(int threads) {
        return new VfsLimits(
                threads, defaultInFlight(threads), DEFAULT_CPU_PERCENT, SnapshotLimits.defaults());
    }

    /** The budget of each container's CPU time on the FUSE threads. */
    public CpuBudget cpuBudget() {
        return new CpuBudget(cpuPercent / 100.0, CPU_BURST_NANOS);
    }

    /**
     * All threads but one, so that a storm of one container always leaves a thread for the others
     * (one with a single thread).
     */
    public static int defaultInFlight(int threads) {
        return Math.max(1, threads - 1);
    }
}
