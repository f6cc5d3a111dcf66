package dev.nestlet.doctor;

import dev.nestlet.shift.IdmappedMounts;
import dev.nestlet.sys.MountCalls;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * overlayfs over an ID-mapped lower layer on the state dir's filesystem, tried for real: how
 * nestletd rebuilds an engine's overlay rootfs (Linux 5.19+). Without it that rootfs is copied.
 */
final class OverlayIdmappedCheck implements Check {
    private final Path stateDir;
    private final ProbeUserns userns;

    OverlayIdmappedCheck(Path stateDir, ProbeUserns userns) {
        this.stateDir = stateDir;
        this.userns = userns;
    }

    @Override
    public String name() {
        return "overlay on ID-mapped layers";
    }

    @Override
    public CheckResult run() throws Exception {
        try (Scratch s = new Scratch(stateDir)) {
            Path lower = s.dir("lower");
            Files.writeString(lower.resolve("probe"), "nestlet\n");
            Path mapped = s.dir("mapped");
            IdmappedMounts.attach(lower, mapped, userns.fd(), false);
            s.mounted(mapped);
            Path merged = s.dir("merged");
            MountCalls.mount(
                    "overlay",
                    merged.toString(),
                    "overlay",
                    0,
                    "lowerdir="
                            + mapped
                            + ",upperdir="
                            + s.dir("upper")
                            + ",workdir="
                            + s.dir("work"));
            s.mounted(merged);
            if (!Files.readString(merged.resolve("probe")).equals("nestlet\n")) {
                throw new IllegalStateException("the overlay does not show its lower layer");
            }
        }
        return CheckResult.ok(
                name(), "overlay over an ID-mapped layer on " + Scratch.existing(stateDir));
    }

    @Override
    public Status whenThrown() {
        return Status.WARN;
    }

    @Override
    public String fix() {
        return "Linux 5.19+ and a state dir on ext4, xfs or btrfs; until then an engine's overlay"
                + " rootfs is copied";
    }
}
