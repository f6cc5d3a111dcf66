package dev.nestlet.seccomp;

import java.io.IOException;
import java.util.List;

/**
 * The thread ids in a container's cgroup and below it, found from its init's pid: where a killed
 * nestletd's unanswered callers are looked for (see {@link LostNotifications}).
 */
@FunctionalInterface
public interface ContainerThreads {
    /** Its threads; empty when the init is gone. */
    List<Integer> of(int initPid) throws IOException;
}
