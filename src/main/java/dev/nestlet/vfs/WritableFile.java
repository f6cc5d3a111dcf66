package dev.nestlet.vfs;

/**
 * A virtual file a container may write (its sysctls): what a write does to the container's view.
 */
public interface WritableFile extends VirtualFile {
    /**
     * Applies the bytes of one write(2) at {@code offset}; returns how many of them were consumed.
     *
     * @throws SysctlInputException with the errno the write fails with; nothing changes then
     */
    int write(ContainerView view, long offset, byte[] data);
}
