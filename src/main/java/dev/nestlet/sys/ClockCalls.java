package dev.nestlet.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The calling thread's CPU time, to charge the work a thread did to whom it was done for. Not
 * ThreadMXBean: that would bring java.management into nestletd's runtime image for one call.
 */
public final class ClockCalls {
    private static final int CLOCK_THREAD_CPUTIME_ID = 3;

    /** A struct timespec per thread, so that a call allocates nothing. */
    private static final ThreadLocal<ByteBuffer> TIMESPEC =
            ThreadLocal.withInitial(
                    () -> ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()));

    private ClockCalls() {}

    /** CPU time (user and system) this thread has used, in nanoseconds. */
    public static long threadCpuNanos() {
        ByteBuffer ts = TIMESPEC.get();
        Native.check(
                Native.C.clock_gettime(CLOCK_THREAD_CPUTIME_ID, ts), "clock_gettime", "thread");
        return ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
    }
}
