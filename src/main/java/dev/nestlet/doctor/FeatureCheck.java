package dev.nestlet.doctor;

import dev.nestlet.kernel.KernelFeature;
import dev.nestlet.kernel.KernelFeatures;
import dev.nestlet.kernel.KernelProbes;
import dev.nestlet.kernel.ProbeNamespace;
import java.nio.file.Path;

/**
 * One kernel feature nestletd uses, probed for real as nestletd probes it at start ({@link
 * KernelProbes}); one that {@code --kernel-compat} turns off is reported as off, with what nestletd
 * does without it. A missing required feature fails; any other warns (nestletd has a way round).
 */
final class FeatureCheck implements Check {
    private final KernelFeature feature;
    private final Path stateDir;
    private final ProbeNamespace userns;
    private final KernelFeatures compat;

    /**
     * @param compat the running kernel under the compat version given (no feature refused): says
     *     which features that version turns off
     */
    FeatureCheck(
            KernelFeature feature, Path stateDir, ProbeNamespace userns, KernelFeatures compat) {
        this.feature = feature;
        this.stateDir = stateDir;
        this.userns = userns;
        this.compat = compat;
    }

    @Override
    public String name() {
        return feature.title();
    }

    @Override
    public CheckResult run() throws Exception {
        KernelProbes.probe(feature, stateDir, userns);
        if (compat.cut(feature)) {
            return new CheckResult(
                    whenThrown(),
                    name(),
                    "works, but " + compat.whyAbsent(feature).orElseThrow(),
                    "without it: " + feature.without());
        }
        return CheckResult.ok(name(), "works (Linux " + feature.since().majorMinor() + "+)");
    }

    @Override
    public Status whenThrown() {
        return feature.required() ? Status.FAIL : Status.WARN;
    }

    @Override
    public String fix() {
        boolean onStateDir =
                feature == KernelFeature.IDMAPPED_MOUNTS
                        || feature == KernelFeature.OVERLAY_IDMAPPED;
        return "Linux "
                + feature.since().majorMinor()
                + "+"
                + (onStateDir ? " and a state dir (--state-dir) on ext4, xfs or btrfs" : "")
                + "; until then "
                + feature.without();
    }
}
