package dev.nestlet.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ByteBudgetTest {
    @Test
    void aChargeOverTheLimitIsRefusedWholeAndReleasesMakeRoom() {
        ByteBudget b = new ByteBudget(100);
        assertTrue(b.tryCharge(60));
        assertFalse(b.tryCharge(41), "would make 101");
        assertEquals(60, b.used(), "a refused charge takes nothing");
        assertTrue(b.tryCharge(40));
        b.release(60);
        assertTrue(b.tryCharge(50));
        assertEquals(90, b.used());
    }

    @Test
    void aForcedChargeMayGoOverAndThenRefusesTheNext() {
        ByteBudget b = new ByteBudget(10);
        b.force(15);
        assertFalse(b.tryCharge(1));
        b.release(15);
        assertTrue(b.tryCharge(10));
    }
}
