package dev.nestlet.doctor;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;

/**
 * proc's {@code pidns} parameter (Linux 6.18), with which the seccomp agent makes the proc a nested
 * user namespace asks for (FreshMount): tried on a new proc context, never mounted.
 */
final class ProcPidnsCheck implements Check {
    @Override
    public String name() {
        return "proc pidns";
    }

    @Override
    public CheckResult run() {
        try (Fd ctx = MountCalls.fsopen("proc");
                Fd pidns = FileCalls.open("/proc/self/ns/pid", FileCalls.O_RDONLY, 0)) {
            MountCalls.fsconfigFd(ctx, "pidns", pidns);
        }
        return CheckResult.ok(name(), "fsconfig(pidns=...) accepted");
    }

    @Override
    public Status whenThrown() {
        return Status.WARN;
    }

    @Override
    public String fix() {
        return "Linux 6.18+; until then mount -t proc from a nested user namespace inside a"
                + " system container is refused";
    }
}
