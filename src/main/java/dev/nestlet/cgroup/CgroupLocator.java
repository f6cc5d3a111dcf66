package dev.nestlet.cgroup;

import dev.nestlet.proc.MountInfo;
import dev.nestlet.proc.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds a process's cgroup from /proc/PID/cgroup and the hierarchies mounted in nestletd's mount
 * namespace. Where the memory controller sits on a v1 hierarchy (v1 or hybrid hosts) the v1 files
 * are read; otherwise the unified hierarchy's.
 */
public final class CgroupLocator {
    private static final List<String> V1_CONTROLLERS =
            List.of("memory", "cpu", "cpuacct", "cpuset", "blkio");

    private final Map<String, MountInfo> v1 = new HashMap<>();
    private final MountInfo unified;
    private final Path hostOnlineCpus;

    public CgroupLocator(List<MountInfo> mounts, Path hostOnlineCpus) {
        MountInfo u = null;
        for (MountInfo m : mounts) {
            if (m.fsType().equals("cgroup2") && u == null) {
                u = m;
            } else if (m.fsType().equals("cgroup")) {
                for (String opt : m.superOptions().split(",")) {
                    if (V1_CONTROLLERS.contains(opt)) {
                        v1.putIfAbsent(opt, m);
                    }
                }
            }
        }
        this.unified = u;
        this.hostOnlineCpus = hostOnlineCpus;
    }

    /** The hierarchies mounted in this process's mount namespace. */
    public static CgroupLocator ofHost() throws IOException {
        return new CgroupLocator(
                MountTable.of("self").all(), Path.of("/sys/devices/system/cpu/online"));
    }

    public Cgroup forProcess(int pid) throws IOException {
        return parse(Files.readString(Path.of("/proc/" + pid + "/cgroup")));
    }

    /** The cgroup that the text of a /proc/PID/cgroup file names. */
    public Cgroup parse(String procCgroup) {
        Map<String, String> paths = new HashMap<>();
        String unifiedPath = null;
        for (String line : procCgroup.split("\n")) {
            int a = line.indexOf(':');
            int b = line.indexOf(':', a + 1);
            if (a < 0 || b < 0) {
                continue;
            }
            String controllers = line.substring(a + 1, b);
            String path = line.substring(b + 1);
            if (line.startsWith("0::")) {
                unifiedPath = path;
            }
            for (String c : controllers.split(",")) {
                paths.put(c, path);
            }
        }
        if (v1.containsKey("memory") && paths.containsKey("memory")) {
            return new CgroupV1(
                    dir(v1.get("memory"), paths.get("memory")),
                    dirOrNull("cpu", paths),
                    dirOrNull("cpuacct", paths),
                    dirOrNull("cpuset", paths),
                    dirOrNull("blkio", paths),
                    hostOnlineCpus);
        }
        if (unified == null || unifiedPath == null) {
            throw new IllegalStateException(
                    "no memory cgroup on v1 and no cgroup2 hierarchy in " + procCgroup.trim());
        }
        return new CgroupV2(
                dir(unified, unifiedPath), Path.of(unified.mountPoint()), hostOnlineCpus);
    }

    private Path dirOrNull(String controller, Map<String, String> paths) {
        MountInfo m = v1.get(controller);
        return m == null || !paths.containsKey(controller) ? null : dir(m, paths.get(controller));
    }

    /**
     * The cgroup path is relative to the hierarchy's root; the mount may show only a subtree of it.
     */
    private static Path dir(MountInfo mount, String path) {
        String root = mount.root();
        if (!root.equals("/") && !(path.equals(root) || path.startsWith(root + "/"))) {
            throw new IllegalStateException(
                    "cgroup "
                            + path
                            + " is outside the part of the hierarchy mounted at "
                            + mount.mountPoint()
                            + " ("
                            + root
                            + ")");
        }
        String rel = root.equals("/") ? path : path.substring(root.length());
        Path p = Path.of(mount.mountPoint());
        for (String part : rel.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.equals("..") || part.equals(".")) {
                throw new IllegalStateException("cgroup path " + path + " is not normalized");
            }
            p = p.resolve(part);
        }
        return p;
    }
}
