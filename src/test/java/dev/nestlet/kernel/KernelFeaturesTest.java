package dev.nestlet.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The feature model: releases, the compat cut, refused probes, the messages. */
class KernelFeaturesTest {
    private static KernelFeatures on(String compat, Map<KernelFeature, String> refused) {
        return new KernelFeatures(
                KernelVersion.parse("6.18.44-fc-v782\n"),
                Optional.ofNullable(compat).map(KernelVersion::parse),
                refused);
    }

    @Test
    void releasesAreComparedByMajorAndMinor() {
        KernelVersion v = KernelVersion.parse("6.18.44-fc-v782\n");
        assertEquals("6.18", v.majorMinor());
        assertEquals("6.18.44-fc-v782", v.release());
        assertTrue(v.atLeast(6, 18) && v.atLeast(5, 12) && !v.atLeast(6, 19) && !v.atLeast(7, 0));
        assertEquals("6.1", KernelVersion.parse("6.1").majorMinor());
        assertThrows(IllegalArgumentException.class, () -> KernelVersion.parse("six"));
    }

    @Test
    void withoutCompatEveryFeatureTheProbesFoundIsUsed() {
        KernelFeatures k = on(null, Map.of());
        for (KernelFeature f : KernelFeature.values()) {
            assertTrue(k.has(f), f.title());
            assertEquals(Optional.empty(), k.whyAbsent(f));
        }
        assertEquals(List.of(), k.cutByCompat());
        assertEquals(Optional.empty(), k.missingRequirement());
        assertEquals("Linux 6.18.44-fc-v782: every feature on", k.summary());
    }

    @Test
    void compatCutsExactlyTheFeaturesIntroducedAfterItsVersion() {
        assertEquals(
                List.of(
                        KernelFeature.TMPFS_IDMAP,
                        KernelFeature.OVERLAY_LOWERDIR_APPEND,
                        KernelFeature.PROC_PIDNS),
                on("6.1", Map.of()).cutByCompat());
        // Container-Optimized OS: tmpfs ID-mapping, not yet lowerdir+.
        assertEquals(
                List.of(KernelFeature.OVERLAY_LOWERDIR_APPEND, KernelFeature.PROC_PIDNS),
                on("6.6", Map.of()).cutByCompat());
        assertEquals(List.of(KernelFeature.PROC_PIDNS), on("6.8", Map.of()).cutByCompat());
        assertEquals(List.of(KernelFeature.PROC_PIDNS), on("6.17", Map.of()).cutByCompat());
        assertEquals(List.of(), on("6.18", Map.of()).cutByCompat());
        KernelFeatures k = on("6.8", Map.of());
        assertTrue(k.has(KernelFeature.OVERLAY_LOWERDIR_APPEND));
        assertFalse(k.has(KernelFeature.PROC_PIDNS));
        assertEquals(
                Optional.of("off under --kernel-compat 6.8 (Linux 6.18)"),
                k.whyAbsent(KernelFeature.PROC_PIDNS));
        assertEquals(
                "Linux 6.18.44-fc-v782, --kernel-compat 6.8: without proc pidns (6.18)",
                k.summary());
        assertTrue(
                k.states().get("proc pidns (6.18)").startsWith("off: off under --kernel-compat"));
        assertEquals("on", k.states().get("overlay lowerdir+ (6.8)"));
    }

    @Test
    void aRefusedProbeIsAbsentWhatEverTheCompatVersionAndNotCountedAsCut() {
        KernelFeatures k = on("6.1", Map.of(KernelFeature.TMPFS_IDMAP, "EINVAL"));
        assertFalse(k.has(KernelFeature.TMPFS_IDMAP));
        assertEquals(Optional.of("refused: EINVAL"), k.whyAbsent(KernelFeature.TMPFS_IDMAP));
        assertEquals(
                List.of(KernelFeature.OVERLAY_LOWERDIR_APPEND, KernelFeature.PROC_PIDNS),
                k.cutByCompat());
    }

    @Test
    void aMissingRequiredFeatureIsNamedWithItsKernelAndACompatBelowItIsRefused() {
        assertEquals(
                Optional.of(
                        "nestletd needs openat2 (Linux 5.6+) for paths inside a container resolved"
                                + " in its root (RESOLVE_IN_ROOT, RESOLVE_BENEATH): off under"
                                + " --kernel-compat 5.5 (Linux 5.6)"),
                on("5.5", Map.of()).missingRequirement());
        assertTrue(
                on(null, Map.of(KernelFeature.MOUNT_API, "ENOSYS"))
                        .missingRequirement()
                        .orElseThrow()
                        .startsWith("nestletd needs mount API (Linux 5.2+)"));
        assertEquals(Optional.empty(), on("5.6", Map.of()).missingRequirement());
    }

    @Test
    void everyOptionalFeatureSaysWhatNestletdDoesWithoutIt() {
        for (KernelFeature f : KernelFeature.values()) {
            assertFalse(f.without().isBlank(), f.title());
            assertFalse(f.use().isBlank(), f.title());
        }
    }
}
