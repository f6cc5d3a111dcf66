package dev.nestlet.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CpuBudgetTest {
    private static final long MS = 1_000_000;

    @Test
    void anOwnerUnderItsShareNeverWaits() {
        AtomicLong now = new AtomicLong(5_000 * MS);
        CpuBudget b = new CpuBudget(0.5, 10 * MS, now::get);
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, b.waitNanos("quiet"), "item " + i);
            b.charge("quiet", MS / 2); // half a ms of CPU every ms: exactly its share
            now.addAndGet(MS);
        }
    }

    @Test
    void anOwnerOverItsBurstWaitsUntilItsBucketRefillsToZero() {
        AtomicLong now = new AtomicLong(0);
        CpuBudget b = new CpuBudget(0.25, 10 * MS, now::get);
        b.charge("storm", 10 * MS);
        assertEquals(0, b.waitNanos("storm"), "the burst is spent to zero, not beyond");
        b.charge("storm", 2 * MS);
        assertEquals(8 * MS, b.waitNanos("storm"), "2 ms of CPU at a quarter of a CPU");
        now.addAndGet(6 * MS);
        assertEquals(2 * MS, b.waitNanos("storm"));
        now.addAndGet(2 * MS);
        assertEquals(0, b.waitNanos("storm"));
    }

    @Test
    void oneOwnersDebtDelaysNobodyElse() {
        AtomicLong now = new AtomicLong(0);
        CpuBudget b = new CpuBudget(0.5, 10 * MS, now::get);
        b.charge("storm", 50 * MS);
        assertTrue(b.waitNanos("storm") > 0);
        assertEquals(0, b.waitNanos("quiet"));
        b.charge("quiet", MS);
        assertEquals(0, b.waitNanos("quiet"));
    }

    @Test
    void anIdleOwnerRefillsOnlyUpToItsBurst() {
        AtomicLong now = new AtomicLong(0);
        CpuBudget b = new CpuBudget(0.5, 10 * MS, now::get);
        b.charge("a", MS);
        now.addAndGet(60_000 * MS); // a minute idle earns 10 ms, not 30 s
        b.charge("a", 12 * MS);
        assertEquals(4 * MS, b.waitNanos("a"));
    }

    @Test
    void withoutAShareNobodyWaits() {
        AtomicLong now = new AtomicLong(0);
        CpuBudget b = new CpuBudget(0, 10 * MS, now::get);
        assertFalse(b.limited());
        b.charge("storm", 60_000 * MS);
        assertEquals(0, b.waitNanos("storm"));
    }

    @Test
    void refusesANegativeShareOrBurst() {
        assertThrows(IllegalArgumentException.class, () -> new CpuBudget(-0.1, MS));
        assertThrows(IllegalArgumentException.class, () -> new CpuBudget(Double.NaN, MS));
        assertThrows(IllegalArgumentException.class, () -> new CpuBudget(0.5, -1));
    }
}
