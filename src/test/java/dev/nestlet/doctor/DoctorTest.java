package dev.nestlet.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Running checks and printing them: a throwing check, warnings, the fix lines, JSON. */
class DoctorTest {
    /** A check that returns {@code result}, or throws when it is null. */
    private static Check check(String name, CheckResult result, Status whenThrown) {
        return new Check() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public CheckResult run() {
                if (result == null) {
                    throw new IllegalStateException("probe refused");
                }
                return result;
            }

            @Override
            public String fix() {
                return "do " + name;
            }

            @Override
            public Status whenThrown() {
                return whenThrown;
            }
        };
    }

    @Test
    void aThrowingCheckComesOutAsItsWhenThrownWithItsFix() throws Exception {
        List<CheckResult> r =
                new Doctor(
                                List.of(
                                        check("a", CheckResult.ok("a", "fine"), Status.FAIL),
                                        check("slow way", null, Status.WARN),
                                        check("b", null, Status.FAIL)))
                        .run();
        assertEquals(
                List.of(
                        CheckResult.ok("a", "fine"),
                        CheckResult.warn("slow way", "probe refused", "do slow way"),
                        CheckResult.fail("b", "probe refused", "do b")),
                r);
        assertFalse(Doctor.passed(r));
        assertEquals(
                "ok    a         fine\n"
                        + "warn  slow way  probe refused\n"
                        + "                fix: do slow way\n"
                        + "FAIL  b         probe refused\n"
                        + "                fix: do b\n"
                        + "3 checks, 1 failed, 1 warnings\n",
                Doctor.text(r));
        JsonNode json = new ObjectMapper().readTree(Doctor.json(r));
        assertFalse(json.path("ok").asBoolean(true));
        assertEquals("FAIL", json.path("checks").get(2).path("status").asText());
        assertEquals("do b", json.path("checks").get(2).path("fix").asText());
        assertEquals("", json.path("checks").get(0).path("fix").asText());
    }

    @Test
    void warningsAloneStillPass() {
        List<CheckResult> r = new Doctor(List.of(check("slow way", null, Status.WARN))).run();
        assertTrue(Doctor.passed(r));
    }

    @Test
    void kernelReleasesAreComparedByMajorAndMinor() {
        KernelVersion v = KernelVersion.parse("6.18.44-fc-v782\n");
        assertTrue(v.atLeast(6, 18) && v.atLeast(5, 12) && !v.atLeast(6, 19) && !v.atLeast(7, 0));
        assertEquals(Status.FAIL, new KernelCheck(KernelVersion.parse("5.11.0")).run().status());
        assertEquals(Status.OK, new KernelCheck(KernelVersion.parse("5.12.1")).run().status());
    }
}
