package dev.nestlet.cgroup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.proc.MountInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupReadersTest {
    @Test
    void v1MemoryUsesHierarchicalLimitAndTotals() {
        MemoryStats m = Recorded.v1().memory();
        assertEquals(268435456L, m.limit());
        assertEquals(17117184L, m.usage());
        assertEquals(
                CgroupText.UNLIMITED, m.swapLimit(), "memsw unlimited: only the host limits swap");
        assertEquals(0L, m.swapUsage());
        assertEquals(16777216L, m.file());
        assertEquals(16777216L, m.shmem());
        assertEquals(16818176L, m.inactiveAnon());
        assertEquals(0L, m.slabReclaimable(), "v1 has no per-cgroup slab");
    }

    @Test
    void v1CpuFromCpusetQuotaAndCpuacct() {
        Cgroup v1 = Recorded.v1();
        CpuLimits l = v1.cpuLimits();
        assertEquals(BitSet.valueOf(new long[] {0b10}), l.cpus());
        assertArrayEquals(new int[] {1}, l.visible());
        CpuUsage u = v1.cpuUsage();
        assertArrayEquals(new long[] {0, 427936135}, u.perCpuUser());
        assertArrayEquals(new long[] {0, 24000000}, u.perCpuSystem());
        assertEquals(427936135L, u.userNs());
        assertEquals(List.of(26989), v1.threads());
        assertEquals(List.of(), v1.io(), "recorded without throttle limits: no counters");
    }

    @Test
    void v1BlkioCountsReadWriteAndDiscardPerDevice(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve("blkio.throttle.io_service_bytes_recursive"),
                "254:0 Read 4096\n254:0 Write 8192\n254:0 Sync 0\n254:0 Async 12288\n254:0 Discard 512\n"
                        + "254:0 Total 12800\nTotal 12800\n");
        Files.writeString(
                dir.resolve("blkio.throttle.io_serviced_recursive"),
                "254:0 Read 1\n254:0 Write 2\n254:0 Discard 1\n254:0 Total 4\nTotal 4\n");
        CgroupV1 c = new CgroupV1(dir, null, null, null, dir, Recorded.ONLINE);
        assertEquals(List.of(new IoStats(254, 0, 4096, 8192, 1, 2, 512, 1)), c.io());
    }

    @Test
    void v2TakesTheSmallestLimitUpToTheRoot() {
        MemoryStats m = Recorded.v2().memory();
        assertEquals(268435456L, m.limit(), "the pod's 256 MiB binds, not the container's 512");
        assertEquals(0L, m.swapLimit(), "the pod allows no swap");
        assertEquals(104857600L, m.usage());
        assertEquals(58720256L, m.file());
        assertEquals(2621440L, m.slabReclaimable());
        assertEquals(6291456L, m.mapped());
    }

    @Test
    void v2CpuIoAndThreadsBelow() {
        Cgroup v2 = Recorded.v2();
        CpuLimits l = v2.cpuLimits();
        assertEquals(50000L, l.quotaUs());
        assertArrayEquals(new int[] {0}, l.visible(), "half a CPU of 0-1 shows one");
        CpuUsage u = v2.cpuUsage();
        assertEquals(2_500_000_000L, u.userNs());
        assertEquals(1_000_000_000L, u.systemNs());
        assertNull(u.perCpuUser(), "v2 has no per-CPU accounting");
        assertEquals(
                List.of(
                        new IoStats(254, 0, 4194304, 8388608, 64, 32, 1048576, 2),
                        new IoStats(7, 0, 0, 0, 0, 0, 0, 0)),
                v2.io());
        assertEquals(
                List.of(4242, 4243, 5151),
                v2.threads().stream().sorted().toList(),
                "threads of the cgroup and its sub-cgroups");
    }

    @Test
    void visibleCpusFollowCpusetAndQuota() {
        BitSet set = CgroupText.cpuList("2-3,8,10-12");
        assertEquals(6, set.cardinality());
        assertArrayEquals(
                new int[] {2, 3, 8, 10, 11, 12},
                new CpuLimits(set, -1, 100_000).visible(),
                "no quota: the cpuset");
        assertArrayEquals(
                new int[] {2, 3, 8, 10, 11},
                new CpuLimits(set, 401_000, 100_000).visible(),
                "ceil(4.01) = 5, in cpuset order");
        assertArrayEquals(
                new int[] {2, 3, 8, 10},
                new CpuLimits(set, 400_000, 100_000).visible(),
                "exactly 4");
        assertArrayEquals(
                new int[] {2}, new CpuLimits(set, 1000, 100_000).visible(), "at least one");
    }

    @Test
    void limitsParseMaxAndV1Unlimited() {
        assertEquals(CgroupText.UNLIMITED, CgroupText.limit("max\n", 0));
        assertEquals(CgroupText.UNLIMITED, CgroupText.limit("9223372036854771712", 0));
        assertEquals(42L, CgroupText.limit("42\n", 0));
        assertEquals(7L, CgroupText.limit(null, 7));
    }

    @Test
    void locatorPrefersV1MemoryAndResolvesPathsUnderMountRoots() {
        List<MountInfo> mounts =
                MountInfo.parse(
                        String.join(
                                "\n",
                                "30 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory",
                                "31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct",
                                "32 25 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw"));
        CgroupLocator hybrid = new CgroupLocator(mounts, Recorded.ONLINE);
        Cgroup c = hybrid.parse("4:memory:/a/b\n2:cpu,cpuacct:/a/b\n0::/a/b\n");
        assertTrue(c instanceof CgroupV1, c.describe());
        assertEquals("cgroup v1 /sys/fs/cgroup/memory/a/b", c.describe());

        CgroupLocator v2only =
                new CgroupLocator(
                        MountInfo.parse(
                                "40 25 0:30 /kubepods /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"),
                        Recorded.ONLINE);
        assertEquals(
                "cgroup v2 /sys/fs/cgroup/pod1/ctr",
                v2only.parse("0::/kubepods/pod1/ctr\n").describe(),
                "the mount shows the hierarchy from /kubepods");
        assertThrows(IllegalStateException.class, () -> v2only.parse("0::/elsewhere\n"));
        assertThrows(IllegalStateException.class, () -> v2only.parse("0::/kubepods/../x\n"));
    }
}
