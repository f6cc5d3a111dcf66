package dev.nestlet.doctor;

import dev.nestlet.lsm.Selinux;
import java.io.IOException;

/**
 * SELinux: where it is enabled, prepare labels a system container the engine labelled container_t
 * as container_engine_t instead, which only a policy with that type (container-selinux's) takes;
 * without it the container keeps container_t and an engine inside it cannot mount.
 */
final class SelinuxCheck implements Check {
    private final Selinux selinux;

    SelinuxCheck(Selinux selinux) {
        this.selinux = selinux;
    }

    @Override
    public String name() {
        return "SELinux";
    }

    @Override
    public CheckResult run() throws IOException {
        if (!selinux.present()) {
            return CheckResult.ok(name(), "not present");
        }
        String mode = selinux.enforcing() ? "enforcing" : "permissive";
        if (!selinux.hasProcessType(Selinux.ENGINE_TYPE)) {
            String detail =
                    mode
                            + ", the policy has no "
                            + Selinux.ENGINE_TYPE
                            + ": system containers keep the engine's container_t, which may not"
                            + " mount (an inner dockerd or podman fails)";
            return selinux.enforcing()
                    ? CheckResult.fail(name(), detail, fix())
                    : CheckResult.warn(name(), detail, fix());
        }
        return CheckResult.ok(
                name(),
                mode
                        + ", the policy has "
                        + Selinux.ENGINE_TYPE
                        + ": system containers labelled container_t run as it (untested on an"
                        + " SELinux host)");
    }

    @Override
    public String fix() {
        return "install a container-selinux policy that has "
                + Selinux.ENGINE_TYPE
                + " (seinfo -t "
                + Selinux.ENGINE_TYPE
                + " lists it), or run system containers unconfined with label=type:spc_t";
    }
}
