package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.TestDir;
import dev.nestlet.prepare.SpecEditor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * nestlet's AppArmor profile, compiled by the real apparmor_parser (package apparmor) without
 * loading it: this kernel has no AppArmor. The name prepare writes into config.json is the
 * profile's, and the denials it keeps from docker-default are there.
 */
class AppArmorProfileIT {
    private static final Path PROFILE =
            Path.of("packaging/apparmor").resolve(SpecEditor.APPARMOR_PROFILE);

    @Test
    void theShippedProfileCompiles() throws Exception {
        try (TestDir dir = new TestDir("apparmor")) {
            Path out = dir.resolve("profile.bin");
            Cmd.Result r =
                    Cmd.of(
                                    "apparmor_parser",
                                    "--skip-kernel-load",
                                    "--skip-cache",
                                    "-o",
                                    out.toString(),
                                    PROFILE.toString())
                            .run();
            assertEquals(0, r.exit(), r.all());
            assertTrue(Files.size(out) > 0, "a compiled policy");
            Cmd.Result names = Cmd.of("apparmor_parser", "--names", PROFILE.toString()).run().ok();
            assertEquals(
                    List.of(SpecEditor.APPARMOR_PROFILE),
                    names.out().lines().toList(),
                    "the name prepare writes into config.json");

            // The parser does fail on a broken profile: the check above means something.
            Path broken = dir.resolve("broken");
            Files.writeString(
                    broken,
                    Files.readString(PROFILE).replace("  network,", "  network bogus-family,"));
            assertTrue(
                    Cmd.of(
                                            "apparmor_parser",
                                            "--skip-kernel-load",
                                            "--skip-cache",
                                            "-o",
                                            dir.resolve("b.bin").toString(),
                                            broken.toString())
                                    .run()
                                    .exit()
                            != 0);
        }
    }

    @Test
    void itKeepsTheHostWideDenialsOfDockerDefault() throws Exception {
        List<String> rules =
                Files.readString(PROFILE)
                        .lines()
                        .map(String::strip)
                        .filter(l -> !l.startsWith("#") && !l.isEmpty())
                        .toList();
        for (String kept :
                List.of(
                        "deny @{PROC}/sysrq-trigger rwklx,",
                        "deny @{PROC}/kcore rwklx,",
                        "deny /sys/firmware/** rwklx,",
                        "deny /sys/devices/virtual/powercap/** rwklx,",
                        "deny /sys/kernel/security/** rwklx,",
                        "deny @{PROC}/* w,   # files directly in /proc (not in a subdirectory)")) {
            assertTrue(rules.contains(kept), "kept from docker-default: " + kept);
        }
        assertTrue(
                rules.contains("mount,")
                        && rules.contains("pivot_root,")
                        && !rules.contains("deny mount,"),
                "an engine inside mounts and pivots");
    }
}
