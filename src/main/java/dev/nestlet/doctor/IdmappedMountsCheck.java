package dev.nestlet.doctor;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.MountCalls;
import java.nio.file.Path;

/**
 * ID-mapped mounts on the state dir's filesystem, tried for real: a clone of the state dir (or its
 * nearest existing parent) gets MOUNT_ATTR_IDMAP, as nestletd's rootfs and volume shifting does.
 * Without them nestletd copies each rootfs with shifted owners (seconds, not milliseconds).
 */
final class IdmappedMountsCheck implements Check {
    private final Path stateDir;
    private final ProbeUserns userns;

    IdmappedMountsCheck(Path stateDir, ProbeUserns userns) {
        this.stateDir = stateDir;
        this.userns = userns;
    }

    @Override
    public String name() {
        return "ID-mapped mounts";
    }

    @Override
    public CheckResult run() throws Exception {
        Path dir = Scratch.existing(stateDir);
        try (Fd tree = MountCalls.openTreeClone(dir.toString(), false)) {
            MountCalls.setAttr(tree, false, MountCalls.MOUNT_ATTR_IDMAP, 0, userns.fd().get());
        }
        return CheckResult.ok(name(), "a clone of " + dir + " was ID-mapped");
    }

    @Override
    public Status whenThrown() {
        return Status.WARN;
    }

    @Override
    public String fix() {
        return "put the state dir (--state-dir) on a filesystem that supports ID-mapped mounts"
                + " (ext4, xfs, btrfs; Linux 5.12+); until then each rootfs is copied";
    }
}
