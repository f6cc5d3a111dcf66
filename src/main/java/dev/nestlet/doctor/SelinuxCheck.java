package dev.nestlet.doctor;

import dev.nestlet.sys.FileCalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** SELinux's mode, when it is there: nestlet has been tested without SELinux only. */
final class SelinuxCheck implements Check {
    private final Path sys;

    SelinuxCheck(Path sys) {
        this.sys = sys;
    }

    @Override
    public String name() {
        return "SELinux";
    }

    @Override
    public CheckResult run() throws IOException {
        Path enforce = sys.resolve("fs/selinux/enforce");
        if (!Files.exists(enforce)) {
            return CheckResult.ok(name(), "not present");
        }
        if (FileCalls.readText(enforce.toString()).trim().equals("1")) {
            return CheckResult.warn(name(), "enforcing: not tested with nestlet", fix());
        }
        return CheckResult.ok(name(), "permissive");
    }

    @Override
    public String fix() {
        return "setenforce 0 if system containers are denied (see the audit log), and report it";
    }
}
