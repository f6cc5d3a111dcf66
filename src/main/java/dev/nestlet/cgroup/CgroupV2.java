package dev.nestlet.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cgroup on the unified (v2) hierarchy: one directory, whose ancestors up to the mount point also
 * limit it. Controllers that are not enabled for it (or bound to v1, as on a hybrid host) leave
 * their files out: their limits read as none and their use as zero.
 */
public final class CgroupV2 implements Cgroup {
    private final Path dir;
    private final Path mountPoint;
    private final Path hostOnlineCpus;
    private final FileCache files = new FileCache();

    /**
     * @param mountPoint where the hierarchy is mounted: ancestors are walked up to it, no further
     */
    public CgroupV2(Path dir, Path mountPoint, Path hostOnlineCpus) {
        if (!dir.startsWith(mountPoint)) {
            throw new IllegalArgumentException(dir + " is not below " + mountPoint);
        }
        this.dir = dir;
        this.mountPoint = mountPoint;
        this.hostOnlineCpus = hostOnlineCpus;
    }

    @Override
    public MemoryStats memory() {
        String stat = files.textOrNull(dir.resolve("memory.stat"));
        long usage = CgroupText.limit(files.textOrNull(dir.resolve("memory.current")), 0);
        long limit = smallestUpwards("memory.max");
        long swapLimit = 0;
        long swapUsage = 0;
        String swapCurrent = files.textOrNull(dir.resolve("memory.swap.current"));
        if (swapCurrent != null) { // swap accounting is on
            swapLimit = smallestUpwards("memory.swap.max");
            swapUsage = CgroupText.limit(swapCurrent, 0);
        }
        return new MemoryStats(
                limit,
                usage,
                swapLimit,
                swapUsage,
                CgroupText.keyed(stat, "anon", 0),
                CgroupText.keyed(stat, "file", 0),
                CgroupText.keyed(stat, "shmem", 0),
                CgroupText.keyed(stat, "active_anon", 0),
                CgroupText.keyed(stat, "inactive_anon", 0),
                CgroupText.keyed(stat, "active_file", 0),
                CgroupText.keyed(stat, "inactive_file", 0),
                CgroupText.keyed(stat, "unevictable", 0),
                CgroupText.keyed(stat, "file_mapped", 0),
                CgroupText.keyed(stat, "file_dirty", 0),
                CgroupText.keyed(stat, "file_writeback", 0),
                CgroupText.keyed(stat, "slab_reclaimable", 0),
                CgroupText.keyed(stat, "slab_unreclaimable", 0));
    }

    /**
     * The smallest value of a limit file on the path from this cgroup up to the hierarchy's root.
     */
    private long smallestUpwards(String file) {
        long min = CgroupText.UNLIMITED;
        for (Path d = dir; d != null && d.startsWith(mountPoint); d = d.getParent()) {
            min =
                    Math.min(
                            min,
                            CgroupText.limit(
                                    files.textOrNull(d.resolve(file)), CgroupText.UNLIMITED));
        }
        return min;
    }

    @Override
    public CpuLimits cpuLimits() {
        String set = files.textOrNull(dir.resolve("cpuset.cpus.effective"));
        if (set == null) {
            set = files.text(hostOnlineCpus);
        }
        long quota = -1;
        long period = 100_000;
        String max = files.textOrNull(dir.resolve("cpu.max"));
        if (max != null) {
            String[] f = max.trim().split("\\s+");
            quota = f[0].equals("max") ? -1 : Long.parseLong(f[0]);
            period = Long.parseLong(f[1]);
        }
        return new CpuLimits(CgroupText.cpuList(set), quota, period);
    }

    /**
     * cpu.stat is always there (the core accounts CPU time without the cpu controller), in
     * microseconds.
     */
    @Override
    public CpuUsage cpuUsage() {
        String stat = files.text(dir.resolve("cpu.stat"));
        return new CpuUsage(
                CgroupText.keyed(stat, "user_usec", 0) * 1000,
                CgroupText.keyed(stat, "system_usec", 0) * 1000,
                null,
                null);
    }

    /**
     * io.stat: "MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=..", one device a line.
     */
    @Override
    public List<IoStats> io() {
        List<IoStats> out = new ArrayList<>();
        String text = files.textOrNull(dir.resolve("io.stat"));
        if (text == null) {
            return out;
        }
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 2 || f[0].indexOf(':') < 0) {
                continue;
            }
            Map<String, Long> kv = new java.util.HashMap<>();
            for (int i = 1; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                if (eq > 0) {
                    kv.put(f[i].substring(0, eq), Long.parseLong(f[i].substring(eq + 1)));
                }
            }
            String[] mm = f[0].split(":");
            out.add(
                    new IoStats(
                            Integer.parseInt(mm[0]),
                            Integer.parseInt(mm[1]),
                            kv.getOrDefault("rbytes", 0L),
                            kv.getOrDefault("wbytes", 0L),
                            kv.getOrDefault("rios", 0L),
                            kv.getOrDefault("wios", 0L),
                            kv.getOrDefault("dbytes", 0L),
                            kv.getOrDefault("dios", 0L)));
        }
        return out;
    }

    @Override
    public List<Integer> threads() {
        return CgroupTree.idsBelow(dir, "cgroup.threads");
    }

    @Override
    public String describe() {
        return "cgroup v2 " + dir;
    }

    @Override
    public void close() {
        files.close();
    }
}
