package dev.nestlet.lifecycle;

import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.proc.IdMapping;
import dev.nestlet.proc.ProcStat;
import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.PidCalls;
import dev.nestlet.sys.Stat;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds a container's init from the pid a hook's state names, and refuses a pid that is not it: a
 * pid could have been reused by another process, or a caller could name any process.
 */
public final class InitProcesses implements InitProcess.Finder {
    private final String ownMountNs;

    public InitProcesses() throws IOException {
        this.ownMountNs = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
    }

    @Override
    public InitProcess find(String id, int pid, Path rootfs, int callerPid) throws IOException {
        Fd pidfd = openPidfd(pid);
        try {
            ProcStat stat = ProcStat.of(pid).orElseThrow(() -> noSuchProcess(pid));
            verifyContainerInit(id, pid, rootfs);
            long rootUid = IdMapping.toHost(IdMapping.read(pid, "uid_map"), 0);
            long rootGid = IdMapping.toHost(IdMapping.read(pid, "gid_map"), 0);
            if (rootUid < 0 || rootGid < 0) {
                throw new NestletException(
                        ErrorCode.BAD_BUNDLE,
                        "container " + id + " has no mapping for its root user");
            }
            return new InitProcess(
                    pidfd, stat.startTime(), (int) rootUid, (int) rootGid, runtimeOf(callerPid));
        } catch (RuntimeException | IOException e) {
            pidfd.close(); // a refused init keeps no pidfd
            throw e;
        }
    }

    private static Fd openPidfd(int pid) {
        try {
            return PidCalls.pidfdOpen(pid);
        } catch (SysException e) {
            if (e.is(Errno.ESRCH)) {
                throw noSuchProcess(pid);
            }
            throw e;
        }
    }

    private static NestletException noSuchProcess(int pid) {
        return new NestletException(
                ErrorCode.NO_SUCH_PROCESS, "process " + pid + " does not exist");
    }

    /**
     * The container's init lives in a mount namespace of its own where the bundle's rootfs is the
     * same directory as on the host; anything else is refused.
     */
    private void verifyContainerInit(String id, int pid, Path rootfs) {
        String ns;
        try {
            ns = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt")).toString();
        } catch (IOException e) {
            throw noSuchProcess(pid);
        }
        if (ns.equals(ownMountNs)) {
            throw new NestletException(
                    ErrorCode.PID_MISMATCH,
                    "process "
                            + pid
                            + " shares nestletd's mount namespace: it is not the init of container "
                            + id);
        }
        Stat host = statOrNull(rootfs);
        if (host == null) {
            throw new NestletException(
                    ErrorCode.BAD_BUNDLE, "rootfs " + rootfs + " does not exist");
        }
        // A walk through /proc/PID/root crosses that process's own mounts: no setns needed.
        Stat inside = statOrNull(Path.of("/proc/" + pid + "/root" + rootfs));
        if (inside == null || inside.dev() != host.dev() || inside.ino() != host.ino()) {
            throw new NestletException(
                    ErrorCode.PID_MISMATCH,
                    "process "
                            + pid
                            + " does not see rootfs "
                            + rootfs
                            + " in its mount namespace: it is not the init of container "
                            + id);
        }
    }

    private static Stat statOrNull(Path path) {
        try (Fd fd = FileCalls.open(path.toString(), FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0)) {
            return FileCalls.fstat(fd);
        } catch (SysException e) {
            return null;
        }
    }

    /**
     * The runtime that ran the hook: the command name of the hook process's ({@code callerPid})
     * parent (not its exe link: crun runs from a sealed copy of itself).
     */
    private static String runtimeOf(int callerPid) {
        try {
            int ppid = ProcStat.of(callerPid).map(ProcStat::ppid).orElse(-1);
            return Files.readString(Path.of("/proc/" + ppid + "/comm")).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
