package dev.nestlet.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.kernel.KernelFeatures;
import dev.nestlet.kernel.KernelVersion;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    private static KernelFeatures kernel(String release, String compat) {
        return new KernelFeatures(
                KernelVersion.parse(release),
                Optional.ofNullable(compat).map(KernelVersion::parse),
                Map.of());
    }

    @Test
    void theKernelCheckFailsBelow512AndNamesWhatACompatVersionTurnsOff() {
        assertEquals(Status.FAIL, new KernelCheck(kernel("5.11.0", null)).run().status());
        assertEquals(Status.OK, new KernelCheck(kernel("5.12.1", null)).run().status());
        assertEquals("Linux 6.18.4", new KernelCheck(kernel("6.18.4", null)).run().detail());
        CheckResult r = new KernelCheck(kernel("6.18.4", "6.1")).run();
        assertEquals(Status.OK, r.status());
        assertEquals(
                "Linux 6.18.4; --kernel-compat 6.1 turns off tmpfs ID-mapping (6.3), overlay"
                        + " lowerdir+ (6.8), proc pidns (6.18)",
                r.detail());
        assertTrue(
                new KernelCheck(kernel("6.18.4", "6.18"))
                        .run()
                        .detail()
                        .endsWith("turns nothing off"));
    }

    @Test
    void aDaemonServingNoListenerOfARunningContainerIsAWarning(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path socket = java.nio.file.Files.createFile(dir.resolve("nestlet.sock"));
        ObjectMapper json = new ObjectMapper();
        JsonNode healthy =
                json.readTree(
                        "{\"version\":\"0.1.0\",\"protocol\":1,\"pid\":7,\"containers\":2,"
                                + "\"seccompListenersLost\":[]}");
        assertEquals(Status.OK, new DaemonCheck(socket, () -> healthy).run().status());
        JsonNode lost =
                json.readTree(
                        "{\"version\":\"0.1.0\",\"protocol\":1,\"pid\":7,\"containers\":2,"
                                + "\"seccompListenersLost\":[\"c1\"]}");
        CheckResult r = new DaemonCheck(socket, () -> lost).run();
        assertEquals(Status.WARN, r.status());
        assertTrue(r.detail().contains("c1"), r.detail());
    }
}
