package dev.nestlet.vfs;

/**
 * How the virtual files are served and bounded.
 *
 * @param threads FUSE reader threads
 * @param inFlightPerContainer requests of one container answered at once; beyond, they wait in that
 *     container's queue, so at least {@code threads - inFlightPerContainer} threads stay free for
 *     the others
 * @param snapshots what open files may hold
 */
public record VfsLimits(int threads, int inFlightPerContainer, SnapshotLimits snapshots) {
    public VfsLimits {
        if (threads < 1 || inFlightPerContainer < 1) {
            throw new IllegalArgumentException(
                    threads + " threads, " + inFlightPerContainer + " in flight per container");
        }
    }

    /** The defaults for {@code threads} readers: {@link #defaultInFlight}, default snapshots. */
    public static VfsLimits of(int threads) {
        return new VfsLimits(threads, defaultInFlight(threads), SnapshotLimits.defaults());
    }

    /**
     * All threads but one, so that a storm of one container always leaves a thread for the others
     * (one with a single thread).
     */
    public static int defaultInFlight(int threads) {
        return Math.max(1, threads - 1);
    }
}
