package dev.nestlet.doctor;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.MountCalls;

/**
 * ID-mapping a tmpfs (Linux 6.3+), tried on a detached one: what a shifted tmpfs volume would need.
 * Only a warning: nestlet itself does not id-map a tmpfs today.
 */
final class TmpfsIdmapCheck implements Check {
    private final ProbeUserns userns;

    TmpfsIdmapCheck(ProbeUserns userns) {
        this.userns = userns;
    }

    @Override
    public String name() {
        return "tmpfs ID-mapping";
    }

    @Override
    public CheckResult run() throws Exception {
        try (Fd ctx = MountCalls.fsopen("tmpfs")) {
            MountCalls.fsconfigCreate(ctx);
            try (Fd mnt = MountCalls.fsmount(ctx, 0)) {
                MountCalls.setAttr(mnt, false, MountCalls.MOUNT_ATTR_IDMAP, 0, userns.fd().get());
            }
        }
        return CheckResult.ok(name(), "a new tmpfs was ID-mapped");
    }

    @Override
    public Status whenThrown() {
        return Status.WARN;
    }

    @Override
    public String fix() {
        return "Linux 6.3+ ID-maps tmpfs; nothing of nestlet's needs it yet";
    }
}
