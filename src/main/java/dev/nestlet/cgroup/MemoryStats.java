package dev.nestlet.cgroup;

/**
 * A cgroup's memory limit and use, in bytes, with v1 and v2 names mapped to one meaning.
 *
 * @param limit effective limit (the smallest along the path to the root), {@link
 *     CgroupText#UNLIMITED} if none
 * @param usage charged memory, page cache included
 * @param swapLimit swap the cgroup may use: 0 when none is allowed or swap is not accounted, {@link
 *     CgroupText#UNLIMITED} when only the host limits it
 * @param swapUsage swap in use
 * @param file page cache (v1 cache, v2 file), shmem included
 * @param shmem tmpfs and shared memory, part of {@code file} but not reclaimable without swap
 * @param slabReclaimable v2 only; v1 does not report slab per cgroup (0)
 */
public record MemoryStats(
        long limit,
        long usage,
        long swapLimit,
        long swapUsage,
        long anon,
        long file,
        long shmem,
        long activeAnon,
        long inactiveAnon,
        long activeFile,
        long inactiveFile,
        long unevictable,
        long mapped,
        long dirty,
        long writeback,
        long slabReclaimable,
        long slabUnreclaimable) {}
