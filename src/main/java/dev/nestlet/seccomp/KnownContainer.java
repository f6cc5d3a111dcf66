package dev.nestlet.seccomp;

import java.util.List;

/**
 * What nestletd's registry knows of a container the agent serves: its init (verified at
 * createRuntime; crun's exec messages carry pid 0) and the paths inside it that nestlet mounted
 * (ContainerRecord.mounts).
 */
public record KnownContainer(int initPid, List<String> mounts) {
    public KnownContainer {
        mounts = List.copyOf(mounts);
    }
}
