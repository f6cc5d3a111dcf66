package dev.nestlet.daemon;

import dev.nestlet.kernel.KernelVersion;
import dev.nestlet.metrics.ListenAddress;
import dev.nestlet.vfs.VfsLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * nestletd's settings, as given on its command line.
 *
 * @param group gid whose members may use the socket besides root
 * @param keepDataDirs leave inner data dirs on disk when a container is released
 * @param requestTimeoutMs the longest one request may take before it is answered with "timeout"
 * @param shiftByCopy copy rootfs with shifted owners instead of ID-mapped mounts
 * @param vfs threads reading FUSE requests for the virtual /proc and /sys files, and their caps
 * @param seccompQueue seccomp notifications of one container that may wait for a handler
 * @param sysctlRaises NAME=CEILING: host sysctls containers may raise up to CEILING (never lower)
 * @param kernelCompat features introduced after this version count as absent
 * @param metricsListen where to serve the metrics over HTTP, or null: nowhere
 */
public record DaemonConfig(
        Path socket,
        Path stateDir,
        OptionalInt group,
        boolean keepDataDirs,
        int maxRequestBytes,
        long requestTimeoutMs,
        int workers,
        long reconcileMs,
        Path home,
        IdPoolSpec idPool,
        boolean shiftByCopy,
        VfsLimits vfs,
        int seccompQueue,
        List<String> sysctlRaises,
        Optional<KernelVersion> kernelCompat,
        ListenAddress metricsListen) {

    /**
     * Where id ranges come from: {@code explicit} ("UID:GID:COUNT") when given, else the {@code
     * user}'s entries in the subuid and subgid files.
     */
    public record IdPoolSpec(
            String explicit, Path subuid, Path subgid, String user, long rangeSize) {}
}
