package dev.nestlet.lifecycle;

import dev.nestlet.sys.Fd;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A container's init as a createRuntime hook found it.
 *
 * @param pidfd held for the container's life; tells when the init exits
 * @param startTime start time in clock ticks since boot (a pid with another one is another process)
 * @param rootUid host uid of the container's root
 * @param rootGid host gid of the container's root
 * @param runtime the command name of the runtime that ran the hook
 */
public record InitProcess(Fd pidfd, long startTime, int rootUid, int rootGid, String runtime) {
    /** Finds the init a hook names and proves it is the container's ({@link InitProcesses}). */
    public interface Finder {
        InitProcess find(String id, int pid, Path rootfs, int callerPid) throws IOException;
    }
}
