package dev.nestlet.doctor;

import dev.nestlet.sys.FileCalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * AppArmor: where it is enabled, a system container the engine confines gets the profile
 * nestlet-system-container instead of the engine's, which must therefore be loaded.
 */
final class AppArmorCheck implements Check {
    static final String PROFILE = "nestlet-system-container";

    private final Path sys;

    AppArmorCheck(Path sys) {
        this.sys = sys;
    }

    @Override
    public String name() {
        return "AppArmor";
    }

    @Override
    public CheckResult run() throws IOException {
        Path enabled = sys.resolve("module/apparmor/parameters/enabled");
        if (!Files.exists(enabled) || !FileCalls.readText(enabled.toString()).trim().equals("Y")) {
            return CheckResult.ok(name(), "not enabled");
        }
        Path profiles = sys.resolve("kernel/security/apparmor/profiles");
        if (!Files.exists(profiles)) {
            return CheckResult.warn(
                    name(),
                    "enabled, but " + profiles + " is not there to tell the loaded profiles",
                    "mount securityfs at " + sys.resolve("kernel/security"));
        }
        boolean loaded =
                Files.readAllLines(profiles).stream().anyMatch(l -> l.startsWith(PROFILE + " "));
        if (!loaded) {
            return CheckResult.fail(name(), "enabled, " + PROFILE + " not loaded", fix());
        }
        return CheckResult.ok(name(), "enabled, " + PROFILE + " loaded");
    }

    @Override
    public String fix() {
        return "apparmor_parser -r -W /etc/apparmor.d/" + PROFILE;
    }
}
