package dev.nestlet.doctor;

import dev.nestlet.sys.FileCalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ubuntu 24.04's kernel.apparmor_restrict_unprivileged_userns: when 1, a process without
 * CAP_SYS_ADMIN in the host's user namespace (everything inside a system container) may make a user
 * namespace only under a profile that allows it, which nestlet-system-container does not.
 */
final class AppArmorUsernsCheck implements Check {
    private final Path procSys;

    AppArmorUsernsCheck(Path procSys) {
        this.procSys = procSys;
    }

    @Override
    public String name() {
        return "AppArmor user namespaces";
    }

    @Override
    public CheckResult run() throws IOException {
        Path file = procSys.resolve("kernel/apparmor_restrict_unprivileged_userns");
        if (!Files.exists(file)) {
            return CheckResult.ok(name(), "no kernel.apparmor_restrict_unprivileged_userns");
        }
        String value = FileCalls.readText(file.toString()).trim();
        if (value.equals("0")) {
            return CheckResult.ok(name(), "kernel.apparmor_restrict_unprivileged_userns = 0");
        }
        return CheckResult.warn(
                name(),
                "kernel.apparmor_restrict_unprivileged_userns = "
                        + value
                        + ": rootless podman and other user namespaces inside system containers"
                        + " are refused",
                fix());
    }

    @Override
    public String fix() {
        return "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (and in /etc/sysctl.d)";
    }
}
