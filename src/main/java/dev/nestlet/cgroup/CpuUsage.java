package dev.nestlet.cgroup;

/**
 * CPU time a cgroup used since it was made, in nanoseconds.
 *
 * @param perCpuUser user time per host CPU number (v1 cpuacct.usage_all), or null where the kernel
 *     only reports totals (v2)
 * @param perCpuSystem system time per host CPU number, null with {@code perCpuUser}
 */
public record CpuUsage(long userNs, long systemNs, long[] perCpuUser, long[] perCpuSystem) {}
