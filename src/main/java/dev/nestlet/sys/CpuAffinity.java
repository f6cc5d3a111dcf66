package dev.nestlet.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The CPUs a thread may run on (sched_getaffinity(2), sched_setaffinity(2)), so that nestletd's
 * work for a container runs on that container's CPUs: what a storm costs nestletd then lands on the
 * storming container's own CPUs, not on its neighbours'.
 *
 * <p>A thread is moved with {@link #runOn} for one piece of work and moved back to nestletd's own
 * CPUs ({@link #home()}) when it ends, because a thread left on a busy container's CPU would be
 * woken there for the next container's request and wait for that CPU first. Moving costs two system
 * calls, and none when the work's CPUs are nestletd's own (an unpinned container).
 */
public final class CpuAffinity {
    /** Bytes of a mask: 1024 CPUs, glibc's cpu_set_t. */
    private static final int MASK_BYTES = 128;

    private static final ThreadLocal<ByteBuffer> BUFFER =
            ThreadLocal.withInitial(
                    () -> ByteBuffer.allocateDirect(MASK_BYTES).order(ByteOrder.nativeOrder()));

    /** The mask this thread was last set to, null while it is on nestletd's own CPUs. */
    private static final ThreadLocal<CpuMask> CURRENT = new ThreadLocal<>();

    private static final CpuMask HOME = of(0);

    private CpuAffinity() {}

    /** The CPUs nestletd's threads run on when they work for nobody in particular. */
    public static CpuMask home() {
        return HOME;
    }

    /** The CPUs thread (or process) {@code tid} may run on; 0: the calling thread. */
    public static CpuMask of(int tid) {
        Native.check(query(tid), "sched_getaffinity", "thread " + tid);
        return read(BUFFER.get());
    }

    /** sched_getaffinity of {@code tid} into this thread's buffer; its return value. */
    private static int query(int tid) {
        ByteBuffer b = BUFFER.get();
        b.clear();
        return Native.C.sched_getaffinity(tid, MASK_BYTES, b);
    }

    /** glibc's wrapper fills the whole buffer (zeros beyond the kernel's mask) and returns 0. */
    private static CpuMask read(ByteBuffer b) {
        long[] words = new long[MASK_BYTES / 8];
        for (int i = 0; i < words.length; i++) {
            words[i] = b.getLong(i * 8);
        }
        return new CpuMask(words);
    }

    /**
     * The CPUs thread {@code tid} (a caller nestletd works for) may run on, which its cgroup's
     * cpuset bounds; null when it cannot be read (the thread is gone): then nobody's CPUs are
     * taken.
     */
    public static CpuMask ofCaller(int tid) {
        return tid <= 0 || query(tid) < 0 ? null : read(BUFFER.get());
    }

    /** The CPUs this thread was moved to by the {@link #runOn} it runs inside, or null. */
    public static CpuMask current() {
        return CURRENT.get();
    }

    /**
     * Runs {@code work} on {@code cpus} (null or nestletd's own CPUs: where the thread is), then
     * moves the thread back. When the kernel refuses the move (none of {@code cpus} is in
     * nestletd's cpuset), the work runs where the thread is.
     */
    public static <T, E extends Exception> T runOn(CpuMask cpus, Work<T, E> work) throws E {
        CpuMask before = CURRENT.get();
        CpuMask target = cpus == null || cpus.equals(HOME) ? before : cpus;
        boolean moved = target != null && !target.equals(before) && set(target);
        if (moved) {
            CURRENT.set(target);
        }
        try {
            return work.run();
        } finally {
            if (moved) {
                set(before == null ? HOME : before);
                CURRENT.set(before);
            }
        }
    }

    /** Work that runs on a container's CPUs. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    private static boolean set(CpuMask cpus) {
        ByteBuffer b = BUFFER.get();
        b.clear();
        long[] words = cpus.words();
        for (int i = 0; i < MASK_BYTES / 8; i++) {
            b.putLong(i * 8, i < words.length ? words[i] : 0);
        }
        return Native.C.sched_setaffinity(0, MASK_BYTES, b) == 0;
    }
}
