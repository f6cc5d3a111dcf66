package dev.nestlet.vfs;

/**
 * One emulated file (sysbox-fs has a handler per emulated file too): where it goes inside a
 * container and how its content is rendered from the container's cgroup and the host's files. A
 * render is one consistent snapshot: the whole text is made at open and kept in the handle.
 */
public interface VirtualFile {
    /** Absolute path inside the container, e.g. "/proc/meminfo". */
    String path();

    byte[] render(ContainerView view, HostFiles host);

    /**
     * Whether {@code view}'s container has this file (every container has the /proc and /sys ones).
     */
    default boolean appliesTo(ContainerView view) {
        return true;
    }
}
