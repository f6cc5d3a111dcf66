package dev.nestlet.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The moves of this test's own thread, read back from the kernel. */
class CpuAffinityTest {
    /** The last of nestletd's CPUs alone (skips the test on one CPU). */
    private static CpuMask one() {
        CpuMask home = CpuAffinity.home();
        assumeTrue(home.count() >= 2, "needs two CPUs to move between");
        int last = 1023;
        while (!home.has(last)) {
            last--;
        }
        return CpuMask.of(last);
    }

    @Test
    void workRunsOnTheCpusGivenAndTheThreadComesBack() {
        CpuMask target = one();
        CpuMask inside = CpuAffinity.runOn(target, () -> CpuAffinity.of(0));
        assertEquals(target, inside);
        assertEquals(CpuAffinity.home(), CpuAffinity.of(0));
        assertNull(CpuAffinity.current());
    }

    @Test
    void currentSaysWhereTheWorkRunsForTasksItHandsOn() {
        CpuMask target = one();
        assertEquals(target, CpuAffinity.runOn(target, CpuAffinity::current));
    }

    @Test
    void nothingOrNestletdsOwnCpusLeaveTheThreadWhereItIs() {
        CpuMask target = one();
        CpuMask nested =
                CpuAffinity.runOn(
                        target,
                        () ->
                                CpuAffinity.runOn(
                                        null,
                                        () ->
                                                CpuAffinity.runOn(
                                                        CpuAffinity.home(),
                                                        () -> CpuAffinity.of(0))));
        assertEquals(target, nested);
    }

    @Test
    void theThreadComesBackWhenTheWorkThrows() {
        CpuMask target = one();
        assertThrows(
                IOException.class,
                () ->
                        CpuAffinity.runOn(
                                target,
                                () -> {
                                    throw new IOException("failed");
                                }));
        assertEquals(CpuAffinity.home(), CpuAffinity.of(0));
    }

    @Test
    void cpusTheKernelRefusesLeaveTheWorkWhereItIs() {
        CpuMask none = CpuMask.of(1023);
        assertEquals(CpuAffinity.of(0), CpuAffinity.runOn(none, () -> CpuAffinity.of(0)));
        assertNull(CpuAffinity.current());
    }

    @Test
    void aCallersCpusAreReadAndAGoneCallerHasNone() {
        assertEquals(Runtime.getRuntime().availableProcessors(), CpuAffinity.home().count());
        assertEquals(CpuAffinity.home(), CpuAffinity.ofCaller((int) ProcessHandle.current().pid()));
        assertNull(CpuAffinity.ofCaller(0));
        assertNull(CpuAffinity.ofCaller(Integer.MAX_VALUE));
    }
}
