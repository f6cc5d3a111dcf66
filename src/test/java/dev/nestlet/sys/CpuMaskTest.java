package dev.nestlet.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuMaskTest {
    @Test
    void printsRangesAsProcDoes() {
        assertEquals("0-3,6", CpuMask.of(0, 1, 2, 3, 6).toString());
        assertEquals("1", CpuMask.of(1).toString());
        assertEquals("63-64,127", CpuMask.of(63, 64, 127).toString());
        assertEquals("", CpuMask.of().toString());
    }

    @Test
    void masksWithTheSameCpusAreEqualWhateverTheirLength() {
        assertEquals(new CpuMask(new long[] {2L, 0L, 0L}), CpuMask.of(1));
        assertEquals(CpuMask.of(1).hashCode(), new CpuMask(new long[] {2L, 0L}).hashCode());
        assertNotEquals(CpuMask.of(1), CpuMask.of(0, 1));
    }

    @Test
    void countsAndAnswersMembership() {
        CpuMask m = CpuMask.of(0, 65, 200);
        assertEquals(3, m.count());
        assertTrue(m.has(65));
        assertFalse(m.has(64));
        assertFalse(m.has(-1));
        assertFalse(m.has(4096));
    }

    @Test
    void aNegativeCpuIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> CpuMask.of(-1));
    }

    @Test
    void theWordsGivenAreCopied() {
        long[] w = {1L};
        CpuMask m = new CpuMask(w);
        w[0] = 2L;
        assertEquals("0", m.toString());
    }
}
