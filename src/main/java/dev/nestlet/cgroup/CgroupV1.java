package dev.nestlet.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cgroup on v1 hierarchies: one directory per controller (memory, cpu, cpuacct, cpuset, blkio),
 * which may be the same directory when controllers are co-mounted ("cpu,cpuacct").
 */
public final class CgroupV1 implements Cgroup {
    private final Path memory;
    private final Path cpu;
    private final Path cpuacct;
    private final Path cpuset;
    private final Path blkio;
    private final Path hostOnlineCpus;
    private final FileCache files = new FileCache();

    /**
     * @param hostOnlineCpus the host's /sys/devices/system/cpu/online, used when no cpuset is
     *     mounted
     */
    public CgroupV1(
            Path memory, Path cpu, Path cpuacct, Path cpuset, Path blkio, Path hostOnlineCpus) {
        this.memory = memory;
        this.cpu = cpu;
        this.cpuacct = cpuacct;
        this.cpuset = cpuset;
        this.blkio = blkio;
        this.hostOnlineCpus = hostOnlineCpus;
    }

    @Override
    public MemoryStats memory() {
        String stat = files.text(memory.resolve("memory.stat"));
        long usage = CgroupText.limit(files.text(memory.resolve("memory.usage_in_bytes")), 0);
        // hierarchical_* is the smallest limit on the path to the root, which is what binds.
        long limit =
                CgroupText.limit(
                        CgroupText.keyed(stat, "hierarchical_memory_limit", CgroupText.UNLIMITED));
        long swapLimit = 0;
        long swapUsage = 0;
        String memswUsage = files.textOrNull(memory.resolve("memory.memsw.usage_in_bytes"));
        if (memswUsage != null) { // swap accounting is on
            long memsw =
                    CgroupText.limit(
                            CgroupText.keyed(
                                    stat, "hierarchical_memsw_limit", CgroupText.UNLIMITED));
            swapLimit =
                    memsw == CgroupText.UNLIMITED
                            ? CgroupText.UNLIMITED
                            : limit == CgroupText.UNLIMITED ? memsw : Math.max(0, memsw - limit);
            swapUsage =
                    CgroupText.keyed(
                            stat,
                            "total_swap",
                            Math.max(0, CgroupText.limit(memswUsage, 0) - usage));
        }
        return new MemoryStats(
                limit,
                usage,
                swapLimit,
                swapUsage,
                CgroupText.keyed(stat, "total_rss", 0),
                CgroupText.keyed(stat, "total_cache", 0),
                CgroupText.keyed(stat, "total_shmem", 0),
                CgroupText.keyed(stat, "total_active_anon", 0),
                CgroupText.keyed(stat, "total_inactive_anon", 0),
                CgroupText.keyed(stat, "total_active_file", 0),
                CgroupText.keyed(stat, "total_inactive_file", 0),
                CgroupText.keyed(stat, "total_unevictable", 0),
                CgroupText.keyed(stat, "total_mapped_file", 0),
                CgroupText.keyed(stat, "total_dirty", 0),
                CgroupText.keyed(stat, "total_writeback", 0),
                0,
                0);
    }

    @Override
    public CpuLimits cpuLimits() {
        String set =
                cpuset == null ? null : files.textOrNull(cpuset.resolve("cpuset.effective_cpus"));
        if (set == null && cpuset != null) {
            set = files.textOrNull(cpuset.resolve("cpuset.cpus"));
        }
        if (set == null) {
            set = files.text(hostOnlineCpus);
        }
        long quota = -1;
        long period = 100_000;
        if (cpu != null) {
            String q = files.textOrNull(cpu.resolve("cpu.cfs_quota_us"));
            quota = q == null ? -1 : Long.parseLong(q.trim());
            String p = files.textOrNull(cpu.resolve("cpu.cfs_period_us"));
            period = p == null ? period : Long.parseLong(p.trim());
        }
        return new CpuLimits(CgroupText.cpuList(set), quota, period);
    }

    /** cpuacct.usage_all: a header, then "cpu user_ns system_ns" per host CPU. */
    @Override
    public CpuUsage cpuUsage() {
        String text = files.text(cpuacct.resolve("cpuacct.usage_all"));
        String[] lines = text.split("\n");
        int max = -1;
        List<long[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length == 3) {
                long[] row = {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
                rows.add(row);
                max = Math.max(max, (int) row[0]);
            }
        }
        long[] user = new long[max + 1];
        long[] system = new long[max + 1];
        long u = 0;
        long s = 0;
        for (long[] row : rows) {
            user[(int) row[0]] = row[1];
            system[(int) row[0]] = row[2];
            u += row[1];
            s += row[2];
        }
        return new CpuUsage(u, s, user, system);
    }

    /**
     * blkio.throttle.*_recursive: "MAJ:MIN Op value" lines, counted for all I/O whether throttled
     * or not.
     */
    @Override
    public List<IoStats> io() {
        if (blkio == null) {
            return List.of();
        }
        Map<String, long[]> bytes =
                perDevice(blkio.resolve("blkio.throttle.io_service_bytes_recursive"));
        Map<String, long[]> ops = perDevice(blkio.resolve("blkio.throttle.io_serviced_recursive"));
        List<IoStats> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : bytes.entrySet()) {
            long[] b = e.getValue();
            long[] o = ops.getOrDefault(e.getKey(), new long[3]);
            String[] mm = e.getKey().split(":");
            out.add(
                    new IoStats(
                            Integer.parseInt(mm[0]),
                            Integer.parseInt(mm[1]),
                            b[0],
                            b[1],
                            o[0],
                            o[1],
                            b[2],
                            o[2]));
        }
        return out;
    }

    /** Read, Write and Discard values per "MAJ:MIN", in the order of the device's first line. */
    private Map<String, long[]> perDevice(Path file) {
        Map<String, long[]> out = new java.util.LinkedHashMap<>();
        String text = files.textOrNull(file);
        if (text == null) {
            return out;
        }
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3 || f[0].indexOf(':') < 0) {
                continue;
            }
            int slot =
                    switch (f[1]) {
                        case "Read" -> 0;
                        case "Write" -> 1;
                        case "Discard" -> 2;
                        default -> -1;
                    };
            if (slot >= 0) {
                out.computeIfAbsent(f[0], k -> new long[3])[slot] = Long.parseLong(f[2]);
            }
        }
        return out;
    }

    /** v1 "tasks" lists one cgroup's threads; an inner engine's sub-cgroups are added up too. */
    @Override
    public List<Integer> threads() {
        return CgroupTree.idsBelow(memory, "tasks");
    }

    @Override
    public String describe() {
        return "cgroup v1 " + memory;
    }

    @Override
    public void close() {
        files.close();
    }
}
