package dev.nestlet.vfs;

import dev.nestlet.cgroup.CgroupText;
import dev.nestlet.cgroup.MemoryStats;

/**
 * The swap a container is shown, in kB, shared by /proc/meminfo and /proc/swaps so they agree: its
 * swap limit, never more than the host has; nothing when the cgroup allows none or does not account
 * swap.
 */
record SwapSpace(long totalKb, long usedKb) {
    static SwapSpace of(MemoryStats m, String hostMeminfo) {
        long hostTotal = HostFiles.meminfoKb(hostMeminfo, "SwapTotal");
        long total =
                m.swapLimit() == CgroupText.UNLIMITED
                        ? hostTotal
                        : Math.min(hostTotal, m.swapLimit() / 1024);
        return new SwapSpace(total, Math.min(total, m.swapUsage() / 1024));
    }
}
