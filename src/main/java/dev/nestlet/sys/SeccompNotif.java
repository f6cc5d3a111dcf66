package dev.nestlet.sys;

/**
 * One seccomp user notification ({@code struct seccomp_notif}): a task stopped in a system call,
 * waiting for the supervisor's answer.
 *
 * @param id the cookie that names this notification in every later ioctl
 * @param pid the calling thread, in nestletd's pid namespace
 * @param nr system call number of {@code arch}
 * @param arch AUDIT_ARCH_* value of the call's ABI
 * @param args the six raw argument registers
 */
public record SeccompNotif(
        long id, int pid, int flags, int nr, int arch, long instructionPointer, long[] args) {
    public SeccompNotif {
        args = args.clone();
    }

    public long arg(int i) {
        return args[i];
    }
}
