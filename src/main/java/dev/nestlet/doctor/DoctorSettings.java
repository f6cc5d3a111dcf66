package dev.nestlet.doctor;

import dev.nestlet.kernel.KernelVersion;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where doctor looks: every path is an option of {@code nestletctl doctor}, so that a test can
 * point it at files of its own and never read (or need) the system's.
 *
 * @param stateDir nestletd's state dir: ID-mapped mounts and overlay are tried on its filesystem
 * @param socket nestletd's socket
 * @param subuid the subordinate uid file the pool comes from
 * @param subgid the subordinate gid file
 * @param poolUser whose entries in those files are nestlet's pool
 * @param rangeSize ids per system container (nestletd's range size)
 * @param fuseDevice the FUSE device nestletd opens
 * @param engineRoot the root under which the engines' config files and binaries are looked up
 * @param usernsHelper nestlet-userns, which makes the user namespace an ID-mapped mount needs
 * @param kernelCompat the version nestletd's {@code --kernel-compat} names: the features it turns
 *     off are reported so
 */
public record DoctorSettings(
        Path stateDir,
        Path socket,
        Path subuid,
        Path subgid,
        String poolUser,
        long rangeSize,
        Path fuseDevice,
        Path engineRoot,
        Path usernsHelper,
        Optional<KernelVersion> kernelCompat) {}
