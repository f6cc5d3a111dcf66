package dev.nestlet.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThrottleTest {
    @Test
    void oneEventPerIntervalCountingTheSilencedOnes() {
        AtomicLong now = new AtomicLong(1_000);
        Throttle t = new Throttle(100, now::get);
        assertEquals(0, t.tryAcquire(), "the first is logged");
        assertEquals(-1, t.tryAcquire());
        now.addAndGet(99);
        assertEquals(-1, t.tryAcquire());
        now.addAndGet(1);
        assertEquals(2, t.tryAcquire(), "two were silenced since");
        assertEquals(-1, t.tryAcquire());
    }
}
