package dev.nestlet.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.cgroup.Cgroup;
import dev.nestlet.cgroup.CpuLimits;
import dev.nestlet.cgroup.CpuUsage;
import dev.nestlet.cgroup.IoStats;
import dev.nestlet.cgroup.MemoryStats;
import dev.nestlet.cgroup.Recorded;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every handler rendered from the recorded v1 and v2 trees and the recorded host files
 * (src/test/resources/recorded). The v1 container started at tick 258161, 7.55 s before the
 * recorded host uptime of 2589.16 s; the v2 one at tick 250000, 89.16 s before it.
 */
class VirtualFileRenderTest {
    private static final HostFiles HOST = new HostFiles(Recorded.HOST);
    private static final ContainerView V1 =
            new ContainerView("v1", 258161, Recorded.v1(), TestSysctls.none());
    private static final ContainerView V2 =
            new ContainerView("v2", 250000, Recorded.v2(), TestSysctls.none());

    private static String render(VirtualFile f, ContainerView v, HostFiles host) {
        return new String(f.render(v, host), StandardCharsets.ISO_8859_1);
    }

    private static String line(String text, String prefix) {
        return text.lines()
                .filter(l -> l.startsWith(prefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line " + prefix + " in:\n" + text));
    }

    @Test
    void meminfoV1() {
        String t = render(new MeminfoFile(), V1, HOST);
        assertEquals("MemTotal:         262144 kB", line(t, "MemTotal:"));
        assertEquals(
                "MemFree:          245428 kB", line(t, "MemFree:"), "262144 - 17117184 B charged");
        assertEquals(
                "MemAvailable:     245428 kB",
                line(t, "MemAvailable:"),
                "tmpfs pages are not available");
        assertEquals("Cached:            16384 kB", line(t, "Cached:"));
        assertEquals("Shmem:             16384 kB", line(t, "Shmem:"));
        assertEquals("Inactive(anon):    16424 kB", line(t, "Inactive(anon):"));
        assertEquals("SwapTotal:             0 kB", line(t, "SwapTotal:"), "the host has no swap");
        String host = HOST.meminfo();
        assertEquals(
                line(host, "VmallocTotal:"),
                line(t, "VmallocTotal:"),
                "lines without a cgroup value pass");
        assertEquals(
                host.lines().map(l -> l.substring(0, l.indexOf(':'))).toList(),
                t.lines().map(l -> l.substring(0, l.indexOf(':'))).toList(),
                "the host's lines in the host's order");
    }

    @Test
    void meminfoV2() {
        String t = render(new MeminfoFile(), V2, HOST);
        assertEquals("MemTotal:         262144 kB", line(t, "MemTotal:"), "the pod's limit");
        assertEquals("MemFree:          159744 kB", line(t, "MemFree:"));
        assertEquals(
                "MemAvailable:     211456 kB",
                line(t, "MemAvailable:"),
                "+ file LRU + reclaimable slab");
        assertEquals("Cached:            57344 kB", line(t, "Cached:"));
        assertEquals("AnonPages:         40960 kB", line(t, "AnonPages:"));
        assertEquals("Slab:               3584 kB", line(t, "Slab:"));
        assertEquals("SReclaimable:       2560 kB", line(t, "SReclaimable:"));
        assertEquals("Dirty:               132 kB", line(t, "Dirty:"));
    }

    @Test
    void swapIsTheCgroupLimitBoundedByTheHost(@TempDir Path root) throws Exception {
        Path proc = Files.createDirectories(root.resolve("proc"));
        Files.writeString(
                proc.resolve("meminfo"),
                HOST.meminfo()
                        .replace("SwapTotal:             0 kB", "SwapTotal:       2097152 kB"));
        HostFiles host = new HostFiles(root);
        ContainerView swapping =
                view(
                        new MemoryStats(
                                1L << 30,
                                1L << 29,
                                1L << 30,
                                100L << 20,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0),
                        new CpuLimits(new BitSet(), -1, 100_000));
        String m = render(new MeminfoFile(), swapping, host);
        assertEquals("SwapTotal:       1048576 kB", line(m, "SwapTotal:"));
        assertEquals("SwapFree:         946176 kB", line(m, "SwapFree:"));
        assertEquals(
                "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                        + "none                                    virtual\t1048576\t\t102400\t\t0\n",
                render(new SwapsFile(), swapping, host));
        assertEquals(
                "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n",
                render(new SwapsFile(), V1, HOST),
                "no swap: the header alone");
        assertEquals(
                "SwapTotal:             0 kB",
                line(render(new MeminfoFile(), V2, host), "SwapTotal:"),
                "the v2 pod allows none although the host has some");
    }

    @Test
    void cpuinfoKeepsTheShownCpusRenumbered() {
        String t = render(new CpuinfoFile(), V1, HOST);
        assertEquals(1, t.lines().filter(l -> l.startsWith("processor")).count());
        assertTrue(t.startsWith("processor\t: 0\nvendor_id"), t);
        assertTrue(t.contains("\napicid\t\t: 1\n"), "the block of host CPU 1");
        assertTrue(t.endsWith("\n\n"));
        String v2 = render(new CpuinfoFile(), V2, HOST);
        assertTrue(
                v2.contains("\napicid\t\t: 0\n")
                        && v2.lines().filter(l -> l.startsWith("processor")).count() == 1,
                "quota 0.5 of cpuset 0-1: host CPU 0 only");
    }

    @Test
    void statFromCgroupAccounting() {
        String t = render(new StatFile(), V1, HOST);
        List<String> lines = t.lines().toList();
        assertEquals(
                "cpu  42 0 2 711 0 0 0 0 0 0",
                lines.get(0),
                "user/system of cpuacct, idle = 755 - 44 ticks");
        assertEquals("cpu0 42 0 2 711 0 0 0 0 0 0", lines.get(1));
        assertEquals(
                HOST.stat().lines().filter(l -> !l.startsWith("cpu")).toList(),
                lines.subList(2, lines.size()),
                "intr, ctxt, btime... are the host's");
        String v2 = render(new StatFile(), V2, HOST);
        assertEquals(
                "cpu0 250 0 100 8566 0 0 0 0 0 0",
                v2.lines().toList().get(1),
                "cpu.stat totals, 8916 ticks up");
    }

    @Test
    void cpuTimeOnHiddenCpusStaysInTheSum() {
        CpuUsage u =
                new CpuUsage(
                        0,
                        0,
                        new long[] {10_000_000, 20_000_000, 30_000_000, 40_000_000},
                        new long[] {0, 0, 0, 0});
        assertEquals(
                List.of(1L + 3, 2L + 4),
                java.util.Arrays.stream(CpuTimes.of(u, new int[] {0, 1}).user()).boxed().toList(),
                "in ticks of 10 ms: host CPUs 2 and 3 fold onto shown 0 and 1");
    }

    @Test
    void uptimeAndIdle() {
        assertEquals(
                "7.55 7.10\n", render(new UptimeFile(), V1, HOST), "idle = 7.55 - 0.45 s used");
        assertEquals(
                "89.16 85.66\n",
                render(new UptimeFile(), V2, HOST),
                "one CPU shown: 89.16 - 3.5 s used");
    }

    @Test
    void loadavgFromTheSampledLoad() {
        ContainerView v = new ContainerView("l", 0, Recorded.v1(), TestSysctls.none());
        assertEquals(
                "0.00 0.00 0.00 0/0 0\n",
                render(new LoadavgFile(), v, HOST),
                "before the first sample");
        v.load(v.load().next(2, 5, 17));
        assertEquals("0.16 0.03 0.01 2/5 17\n", render(new LoadavgFile(), v, HOST));
    }

    @Test
    void diskstatsOfTheDevicesTheContainerUsed() {
        assertEquals(
                " 254       0 vda 64 0 8192 0 32 0 16384 0 0 0 0 2 0 2048 0 0 0\n",
                render(new DiskstatsFile(), V2, HOST),
                "vda only; loop0 had no I/O");
        assertEquals("", render(new DiskstatsFile(), V1, HOST));
    }

    @Test
    void onlineCpus() {
        assertEquals("0\n", render(new CpuOnlineFile(), V1, HOST));
        ContainerView two =
                view(
                        Recorded.v1().memory(),
                        new CpuLimits(dev.nestlet.cgroup.CgroupText.cpuList("4-5"), -1, 100_000));
        assertEquals("0-1\n", render(new CpuOnlineFile(), two, HOST));
    }

    /** A view over fixed values, for cases no recorded tree shows. */
    private static ContainerView view(MemoryStats memory, CpuLimits cpus) {
        return new ContainerView(
                "fixed",
                0,
                new Cgroup() {
                    @Override
                    public MemoryStats memory() {
                        return memory;
                    }

                    @Override
                    public CpuLimits cpuLimits() {
                        return cpus;
                    }

                    @Override
                    public CpuUsage cpuUsage() {
                        return new CpuUsage(0, 0, null, null);
                    }

                    @Override
                    public List<IoStats> io() {
                        return List.of();
                    }

                    @Override
                    public List<Integer> threads() {
                        return List.of();
                    }

                    @Override
                    public String describe() {
                        return "fixed";
                    }

                    @Override
                    public void close() {}
                },
                TestSysctls.none());
    }
}
