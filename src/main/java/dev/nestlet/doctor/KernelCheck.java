package dev.nestlet.doctor;

import dev.nestlet.kernel.KernelFeature;
import dev.nestlet.kernel.KernelFeatures;
import java.util.List;

/**
 * The running kernel; below 5.12 there is no mount_setattr(2), so no ID-mapped mount at all. Under
 * {@code --kernel-compat} it also names the features that version turns off.
 */
final class KernelCheck implements Check {
    private final KernelFeatures kernel;

    KernelCheck(KernelFeatures kernel) {
        this.kernel = kernel;
    }

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public CheckResult run() {
        String release = "Linux " + kernel.kernel().release();
        if (!kernel.kernel().atLeast(5, 12)) {
            return CheckResult.fail(name(), release + ": no mount_setattr(2) (5.12)", fix());
        }
        if (kernel.compat().isEmpty()) {
            return CheckResult.ok(name(), release);
        }
        List<String> off =
                kernel.cutByCompat().stream()
                        .map(f -> f.title() + " (" + f.since().majorMinor() + ")")
                        .toList();
        return CheckResult.ok(
                name(),
                release
                        + "; --kernel-compat "
                        + kernel.compat().get().majorMinor()
                        + (off.isEmpty()
                                ? " turns nothing off"
                                : " turns off " + String.join(", ", off)));
    }

    @Override
    public String fix() {
        return "run a kernel of 5.12 or later ("
                + KernelFeature.PROC_PIDNS.since().majorMinor()
                + " for every feature)";
    }
}
