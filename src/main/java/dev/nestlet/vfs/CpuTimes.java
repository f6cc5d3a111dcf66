package dev.nestlet.vfs;

import dev.nestlet.cgroup.CpuLimits;
import dev.nestlet.cgroup.CpuUsage;

/**
 * The container's CPU time laid onto the CPUs it is shown, in clock ticks. Time a host CPU spent
 * goes to its shown number; time on a host CPU that is not shown (the quota hid it, or the cpuset
 * changed) goes to shown CPU (host number mod N), so the sum is always the cgroup's. Where the
 * kernel reports only totals (v2), they are spread evenly.
 */
record CpuTimes(long[] user, long[] system) {
    private static final long NS_PER_TICK = 1_000_000_000L / HostFiles.TICKS_PER_SECOND;

    static CpuTimes of(CpuUsage usage, int[] visible) {
        int n = visible.length;
        long[] user = new long[n];
        long[] system = new long[n];
        if (usage.perCpuUser() != null) {
            for (int cpu = 0; cpu < usage.perCpuUser().length; cpu++) {
                int j = CpuLimits.shownIndex(visible, cpu);
                j = j >= 0 ? j : cpu % n;
                user[j] += usage.perCpuUser()[cpu];
                system[j] += usage.perCpuSystem()[cpu];
            }
        } else {
            for (int j = 0; j < n; j++) {
                user[j] = usage.userNs() / n + (j == 0 ? usage.userNs() % n : 0);
                system[j] = usage.systemNs() / n + (j == 0 ? usage.systemNs() % n : 0);
            }
        }
        for (int j = 0; j < n; j++) {
            user[j] /= NS_PER_TICK;
            system[j] /= NS_PER_TICK;
        }
        return new CpuTimes(user, system);
    }
}
