package dev.nestlet.quota;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A global budget of bytes held by many owners at once: a charge that would take the total past the
 * limit is refused, so the holder degrades (refuses new work) instead of running out of heap.
 */
public final class ByteBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public ByteBudget(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("budget " + limit);
        }
        this.limit = limit;
    }

    /** Takes {@code bytes} from the budget; false (and nothing taken) when they do not fit. */
    public boolean tryCharge(long bytes) {
        long now;
        do {
            now = used.get();
            if (now + bytes > limit) {
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        return true;
    }

    /**
     * Takes {@code bytes} whatever is left: for what exists already and cannot be refused (a file a
     * previous nestletd opened).
     */
    public void force(long bytes) {
        used.addAndGet(bytes);
    }

    /** Gives back what a charge took. */
    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
