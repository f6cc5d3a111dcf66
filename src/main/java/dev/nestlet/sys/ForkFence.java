package dev.nestlet.sys;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keeps child processes from copying fds that pin a container's mounts. A new child gets a copy of
 * every open fd of nestletd and keeps it until its exec closes the close-on-exec ones. If the
 * seccomp agent has a container's {@code /mnt} open (O_PATH, to check an umount) at that moment,
 * the child's copy outlives the agent's close, and the container's umount, let through to the
 * kernel, fails with EBUSY. So children are started only while no such fd is open: {@link #start}
 * takes the exclusive side, code holding such fds the shared side. Fair, so a storm of trapped
 * calls cannot hold a start off for ever. {@link ProcessBuilder#start} returns only after the
 * child's exec. A trapped call that itself needs a child (proc through nestlet-procfs, before Linux
 * 6.18) starts it without waiting, as it holds the shared side: on those kernels the window stays
 * open for that start only.
 */
public final class ForkFence {
    private static final ReentrantReadWriteLock LOCK = new ReentrantReadWriteLock(true);

    private ForkFence() {}

    /** Starts {@code pb} while nothing pins a container's mount. */
    public static Process start(ProcessBuilder pb) throws IOException {
        if (LOCK.getReadHoldCount() > 0) {
            return pb.start(); // the exclusive side would wait for this thread for ever
        }
        LOCK.writeLock().lock();
        try {
            return pb.start();
        } finally {
            LOCK.writeLock().unlock();
        }
    }

    /** Runs {@code work}, which may open fds on a container's mounts, with no child starting. */
    public static <T> T pinning(Callable<T> work) throws Exception {
        LOCK.readLock().lock();
        try {
            return work.call();
        } finally {
            LOCK.readLock().unlock();
        }
    }
}
