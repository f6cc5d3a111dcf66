package dev.nestlet.shift;

import java.util.List;

/**
 * How a container's files were made to appear owned by its root.
 *
 * @param method {@code idmap} (the rootfs directory id-mapped), {@code idmap-overlay} (the engine's
 *     overlay rebuilt from id-mapped layers), {@code chown-copy} (the fallback), or {@code none}
 * @param originalRoot the rootfs the engine gave
 * @param root the rootfs the container now uses
 * @param mounts host mount points nestlet made for it, in the order made
 * @param volumes what happened to each bind-mounted host path
 * @param notes why a fallback was taken, when one was
 */
public record ShiftResult(
        String method,
        String originalRoot,
        String root,
        List<String> mounts,
        List<String> volumes,
        List<String> notes) {
    public ShiftResult {
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }
}
