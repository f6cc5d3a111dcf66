package dev.nestlet.doctor;

import dev.nestlet.sys.SeccompCalls;

/**
 * Seccomp user notification, through which nestletd's agent serves a system container's mount
 * calls: the kernel must know SECCOMP_GET_NOTIF_SIZES and use the structures nestlet speaks.
 */
final class SeccompNotifyCheck implements Check {
    @Override
    public String name() {
        return "seccomp user notification";
    }

    @Override
    public CheckResult run() {
        SeccompCalls.checkSizes();
        return CheckResult.ok(name(), "notification structures as nestlet expects");
    }

    @Override
    public String fix() {
        return "a kernel built with CONFIG_SECCOMP_FILTER (Linux 5.9+); without it no nested mount"
                + " works inside a system container";
    }
}
