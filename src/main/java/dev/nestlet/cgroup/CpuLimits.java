package dev.nestlet.cgroup;

import java.util.BitSet;

/**
 * Which CPUs a cgroup may run on and how much of them.
 *
 * @param cpus host CPU numbers of its effective cpuset
 * @param quotaUs CFS quota per period in microseconds, or -1 when unlimited
 * @param periodUs CFS period in microseconds
 */
public record CpuLimits(BitSet cpus, long quotaUs, long periodUs) {
    public CpuLimits {
        cpus = (BitSet) cpus.clone();
    }

    /**
     * The host CPUs the container is shown, in order: its cpuset, cut to ceil(quota / period) CPUs
     * when the quota allows fewer, at least one.
     */
    public int[] visible() {
        int count = cpus.cardinality();
        if (quotaUs > 0 && periodUs > 0) {
            count = (int) Math.min(count, (quotaUs + periodUs - 1) / periodUs);
        }
        count = Math.max(1, count);
        int[] out = new int[count];
        int cpu = cpus.nextSetBit(0);
        for (int i = 0; i < count; i++) {
            out[i] = Math.max(cpu, 0);
            cpu = cpu < 0 ? -1 : cpus.nextSetBit(cpu + 1);
        }
        return out;
    }

    /**
     * Where host CPU {@code cpu} stands among {@code visible} (as {@link #visible()} gave them), or
     * -1.
     */
    public static int shownIndex(int[] visible, int cpu) {
        for (int j = 0; j < visible.length; j++) {
            if (visible[j] == cpu) {
                return j;
            }
        }
        return -1;
    }

    @Override
    public BitSet cpus() {
        return (BitSet) cpus.clone();
    }
}
