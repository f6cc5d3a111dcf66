package dev.nestlet.cgroup;

/** I/O a cgroup did on one block device (major:minor) since it was made. */
public record IoStats(
        int major,
        int minor,
        long readBytes,
        long writeBytes,
        long reads,
        long writes,
        long discardBytes,
        long discards) {}
