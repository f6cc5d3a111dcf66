package dev.nestlet.quota;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A budget of CPU time per owner (container): a token bucket of nanoseconds that fills at {@code
 * share} of one CPU, up to {@code burstNanos}. Work is charged after it ran (its real CPU time), so
 * a bucket may go below zero; an owner whose bucket is below zero waits ({@link #waitNanos}) until
 * it has refilled to zero. An owner that spends less than its share never waits: its bucket stays
 * full minus its last item.
 *
 * <p>A full bucket is forgotten (a new owner starts full), so owners that went away leave nothing.
 */
public final class CpuBudget {
    private static final class Bucket {
        long tokens;
        long at;

        Bucket(long tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    private final double share;
    private final long burstNanos;
    private final LongSupplier clock;
    private final Map<String, Bucket> buckets = new HashMap<>();

    /**
     * {@code share}: the fraction of one CPU an owner may use over time (0: no budget, never wait);
     * {@code burstNanos}: how much it may use at once after being idle.
     */
    public CpuBudget(double share, long burstNanos) {
        this(share, burstNanos, System::nanoTime);
    }

    CpuBudget(double share, long burstNanos, LongSupplier clock) {
        if (!(share >= 0) || burstNanos < 0) {
            throw new IllegalArgumentException("share " + share + ", burst " + burstNanos);
        }
        this.share = share;
        this.burstNanos = burstNanos;
        this.clock = clock;
    }

    /** Whether there is a budget at all: without one, nobody needs to measure what work costs. */
    public boolean limited() {
        return share > 0;
    }

    /** Nanoseconds {@code owner} must wait before its next item runs; 0: run it now. */
    public synchronized long waitNanos(String owner) {
        if (!limited()) {
            return 0;
        }
        Bucket b = buckets.get(owner);
        if (b == null) {
            return 0;
        }
        refill(b);
        if (b.tokens >= burstNanos) {
            buckets.remove(owner);
            return 0;
        }
        return b.tokens >= 0 ? 0 : (long) Math.ceil(-b.tokens / share);
    }

    /** Takes {@code cpuNanos} of CPU time that {@code owner}'s work used from its bucket. */
    public synchronized void charge(String owner, long cpuNanos) {
        if (!limited()) {
            return;
        }
        long now = clock.getAsLong();
        Bucket b = buckets.computeIfAbsent(owner, k -> new Bucket(burstNanos, now));
        refill(b);
        b.tokens -= cpuNanos;
    }

    private void refill(Bucket b) {
        long now = clock.getAsLong();
        long earned = (long) ((now - b.at) * share);
        if (earned > 0) {
            b.tokens = Math.min(burstNanos, b.tokens + earned);
            b.at = now;
        }
    }
}
