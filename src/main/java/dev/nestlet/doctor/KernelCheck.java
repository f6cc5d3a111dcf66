package dev.nestlet.doctor;

/** The running kernel; below 5.12 there is no mount_setattr(2), so no ID-mapped mount at all. */
final class KernelCheck implements Check {
    private final KernelVersion kernel;

    KernelCheck(KernelVersion kernel) {
        this.kernel = kernel;
    }

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public CheckResult run() {
        if (!kernel.atLeast(5, 12)) {
            return CheckResult.fail(
                    name(), "Linux " + kernel.release() + ": no mount_setattr(2) (5.12)", fix());
        }
        return CheckResult.ok(name(), "Linux " + kernel.release());
    }

    @Override
    public String fix() {
        return "run a kernel of 5.12 or later (6.18 for every feature)";
    }
}
