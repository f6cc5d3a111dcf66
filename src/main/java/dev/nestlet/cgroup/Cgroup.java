package dev.nestlet.cgroup;

import java.util.List;

/**
 * A container's cgroup as the virtual files need it. Every call reads the kernel's files anew, so a
 * limit changed on a running container shows on the next call.
 */
public interface Cgroup extends AutoCloseable {
    MemoryStats memory();

    CpuLimits cpuLimits();

    CpuUsage cpuUsage();

    List<IoStats> io();

    /** Host ids of the threads in the cgroup and its descendants' (for the load average). */
    List<Integer> threads();

    /** Where it lives, for logs and errors. */
    String describe();

    /** Closes the files it keeps open; later calls fail with ENOENT. */
    @Override
    void close();
}
