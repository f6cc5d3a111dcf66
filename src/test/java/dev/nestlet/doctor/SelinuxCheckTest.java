package dev.nestlet.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.lsm.Selinux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SELinux line of doctor on selinuxfs trees as hosts have them (enforce and mls files), with
 * the policy's answers recorded: this machine has no SELinux.
 */
class SelinuxCheckTest {
    @TempDir Path fs;

    /** The contexts the policy was asked about, in order. */
    private final List<String> asked = new ArrayList<>();

    private CheckResult run(String enforce, String mls, Set<String> policy) throws Exception {
        if (enforce != null) {
            Files.writeString(fs.resolve("enforce"), enforce);
        }
        if (mls != null) {
            Files.writeString(fs.resolve("mls"), mls);
        }
        return new SelinuxCheck(
                        new Selinux(
                                fs,
                                c -> {
                                    asked.add(c);
                                    return policy.contains(c);
                                }))
                .run();
    }

    @Test
    void noSelinuxfsIsNotPresent() throws Exception {
        assertEquals(CheckResult.ok("SELinux", "not present"), run(null, null, Set.of()));
        assertEquals(List.of(), asked);
    }

    @Test
    void anEnforcingMcsPolicyWithContainerEngineTIsOk() throws Exception {
        CheckResult r = run("1", "1", Set.of("system_u:system_r:container_engine_t:s0"));
        assertEquals(Status.OK, r.status(), r.toString());
        assertTrue(
                r.detail().startsWith("enforcing, the policy has container_engine_t"), r.detail());
        assertEquals(List.of("system_u:system_r:container_engine_t:s0"), asked);
    }

    @Test
    void anEnforcingPolicyWithoutItFailsWithTheFix() throws Exception {
        CheckResult r = run("1\n", "1\n", Set.of("system_u:system_r:container_t:s0"));
        assertEquals(Status.FAIL, r.status(), r.toString());
        assertTrue(r.detail().startsWith("enforcing, the policy has no container_engine_t"));
        assertTrue(r.fix().contains("container-selinux"), r.fix());
    }

    @Test
    void permissiveWithoutItIsAWarning() throws Exception {
        CheckResult r = run("0", "1", Set.of());
        assertEquals(Status.WARN, r.status(), r.toString());
        assertTrue(r.detail().startsWith("permissive, the policy has no"), r.detail());
    }

    @Test
    void aPolicyWithoutMlsIsAskedWithoutALevel() throws Exception {
        CheckResult r = run("1", "0", Set.of("system_u:system_r:container_engine_t"));
        assertEquals(Status.OK, r.status(), r.toString());
        assertEquals(List.of("system_u:system_r:container_engine_t"), asked);
    }
}
