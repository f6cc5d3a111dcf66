package dev.nestlet.doctor;

import dev.nestlet.sys.FileCalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * User namespaces: every system container gets one, and what runs inside makes more of its own
 * (rootless podman, BuildKit's sandboxes), which the sysctls can forbid.
 */
final class UserNamespacesCheck implements Check {
    private final Path procSys;

    UserNamespacesCheck(Path procSys) {
        this.procSys = procSys;
    }

    @Override
    public String name() {
        return "user namespaces";
    }

    @Override
    public CheckResult run() throws IOException {
        long max = Long.parseLong(read("user/max_user_namespaces"));
        if (max == 0) {
            return CheckResult.fail(
                    name(), "user.max_user_namespaces = 0: none may be made", fix());
        }
        String detail = "user.max_user_namespaces = " + max;
        // Debian's and Ubuntu's older kernels: 0 refuses user namespaces to anyone without
        // CAP_SYS_ADMIN in the host's, i.e. to everything inside a system container.
        Path clone = procSys.resolve("kernel/unprivileged_userns_clone");
        if (Files.exists(clone) && read("kernel/unprivileged_userns_clone").equals("0")) {
            return CheckResult.warn(
                    name(),
                    detail
                            + ", kernel.unprivileged_userns_clone = 0: nothing inside a system"
                            + " container can make a user namespace",
                    "sysctl -w kernel.unprivileged_userns_clone=1 (and in /etc/sysctl.d)");
        }
        return CheckResult.ok(name(), detail);
    }

    private String read(String name) throws IOException {
        return FileCalls.readText(procSys.resolve(name).toString()).trim();
    }

    @Override
    public String fix() {
        return "sysctl -w user.max_user_namespaces=15000 (and in /etc/sysctl.d)";
    }
}
