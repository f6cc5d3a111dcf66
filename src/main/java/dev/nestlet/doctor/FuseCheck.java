package dev.nestlet.doctor;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.SysException;
import java.nio.file.Path;

/**
 * The FUSE device nestletd serves the virtual /proc and /sys files from, tried for real: a FUSE
 * superblock is created on an fd of it (never mounted), which the kernel refuses for anything but a
 * FUSE device.
 */
final class FuseCheck implements Check {
    private final Path device;

    FuseCheck(Path device) {
        this.device = device;
    }

    @Override
    public String name() {
        return "FUSE";
    }

    @Override
    public CheckResult run() {
        try (Fd dev = FileCalls.open(device.toString(), FileCalls.O_RDWR, 0);
                Fd ctx = MountCalls.fsopen("fuse")) {
            MountCalls.fsconfig(ctx, "fd", Integer.toString(dev.get()));
            MountCalls.fsconfig(ctx, "rootmode", "40000");
            MountCalls.fsconfig(ctx, "user_id", "0");
            MountCalls.fsconfig(ctx, "group_id", "0");
            MountCalls.fsconfigCreate(ctx);
        } catch (SysException e) {
            return CheckResult.fail(
                    name(), device + " is not a usable FUSE device: " + e.getMessage(), fix());
        }
        return CheckResult.ok(name(), device + " makes a FUSE connection");
    }

    @Override
    public String fix() {
        return "modprobe fuse; "
                + device
                + " must be the FUSE device (char 10:229) and usable by nestletd (in a container:"
                + " --device /dev/fuse); nestletd cannot start without it";
    }
}
