package dev.nestlet.vfs;

/**
 * How much the open virtual files may hold: each open keeps a snapshot of its file's content until
 * it is closed, so a container holding thousands of opens would otherwise fill nestletd's heap.
 *
 * @param openPerContainer open files one container may hold at once (more: EMFILE)
 * @param snapshotBytes bytes all open snapshots together may hold (more: EAGAIN)
 */
public record SnapshotLimits(int openPerContainer, long snapshotBytes) {
    /** A container that needs more open virtual files than this is misbehaving. */
    public static final int DEFAULT_OPEN_PER_CONTAINER = 1024;

    /**
     * The share of the heap open snapshots may take: the rest is for everything else nestletd does
     * at the same time (requests, mounts, renders in flight).
     */
    static final int HEAP_SHARE_DIVISOR = 4;

    public SnapshotLimits {
        if (openPerContainer < 1 || snapshotBytes < 1) {
            throw new IllegalArgumentException(
                    "open files " + openPerContainer + ", snapshot bytes " + snapshotBytes);
        }
    }

    /** The defaults: a quarter of this JVM's maximum heap for snapshots. */
    public static SnapshotLimits defaults() {
        return new SnapshotLimits(DEFAULT_OPEN_PER_CONTAINER, defaultBytes());
    }

    /** A quarter of the maximum heap (16 MiB under nestletd's 64 MiB cap). */
    public static long defaultBytes() {
        return Runtime.getRuntime().maxMemory() / HEAP_SHARE_DIVISOR;
    }
}
