package dev.nestlet.quota;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most one event per interval, for a log line about a refusal a storm repeats thousands of times
 * a second: the line says how many were not logged since the last one.
 */
public final class Throttle {
    private final long intervalNanos;
    private final LongSupplier clock;
    private final AtomicLong next;
    private final AtomicLong suppressed = new AtomicLong();

    public Throttle(long intervalNanos) {
        this(intervalNanos, System::nanoTime);
    }

    Throttle(long intervalNanos, LongSupplier clock) {
        this.intervalNanos = intervalNanos;
        this.clock = clock;
        this.next = new AtomicLong(clock.getAsLong());
    }

    /**
     * Whether to log this event: the first of each interval. Returns -1 for one to stay silent
     * about, else how many were silenced since the last one logged.
     */
    public long tryAcquire() {
        long now = clock.getAsLong();
        long due = next.get();
        if (now - due >= 0 && next.compareAndSet(due, now + intervalNanos)) {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return -1;
    }
}
