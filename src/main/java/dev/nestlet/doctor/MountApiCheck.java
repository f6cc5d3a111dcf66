package dev.nestlet.doctor;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.MountCalls;
import java.nio.file.Path;

/**
 * The new mount API (fsopen, fsmount, move_mount, open_tree; Linux 5.2+), which nestletd uses for
 * every mount it makes: a tmpfs made with it is attached in a scratch dir and cloned.
 */
final class MountApiCheck implements Check {
    private final Path stateDir;

    MountApiCheck(Path stateDir) {
        this.stateDir = stateDir;
    }

    @Override
    public String name() {
        return "mount API";
    }

    @Override
    public CheckResult run() throws Exception {
        try (Scratch s = new Scratch(stateDir);
                Fd ctx = MountCalls.fsopen("tmpfs")) {
            MountCalls.fsconfigCreate(ctx);
            Path at = s.dir("tmpfs");
            try (Fd mnt = MountCalls.fsmount(ctx, 0)) {
                MountCalls.moveMount(mnt, at.toString());
            }
            s.mounted(at);
            MountCalls.openTreeClone(at.toString(), false).close();
        }
        return CheckResult.ok(name(), "fsopen, fsmount, move_mount, open_tree");
    }

    @Override
    public String fix() {
        return "Linux 5.2+ with the mount API not blocked by a seccomp profile around nestletd";
    }
}
