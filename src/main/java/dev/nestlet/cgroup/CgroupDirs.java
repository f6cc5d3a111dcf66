package dev.nestlet.cgroup;

import dev.nestlet.proc.MountInfo;
import dev.nestlet.proc.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a process's cgroups are on the host: each line of /proc/PID/cgroup joined with the mount
 * point of its hierarchy (cgroup v1 controllers, named v1 hierarchies, and the v2 unified tree), as
 * nestletd's namespace sees them.
 */
public final class CgroupDirs {
    /**
     * One of a process's cgroups: {@code controllers} is empty for v2; {@code hierarchyRoot} when
     * the process sits in the root of the hierarchy.
     */
    public record Dir(boolean v2, Set<String> controllers, Path path, boolean hierarchyRoot) {}

    private CgroupDirs() {}

    public static List<Dir> of(int pid) throws IOException {
        return resolve(
                Files.readString(Path.of("/proc/" + pid + "/cgroup")), MountTable.of("self").all());
    }

    /** Joins the text of /proc/PID/cgroup with the cgroup mounts in {@code mounts}. */
    static List<Dir> resolve(String procCgroup, List<MountInfo> mounts) {
        List<Dir> out = new ArrayList<>();
        for (String line : procCgroup.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(":", 3);
            String rel = f[2].startsWith("/") ? f[2].substring(1) : f[2];
            if (f[1].isEmpty()) {
                mountOf(mounts, "cgroup2", Set.of())
                        .ifPresent(
                                m ->
                                        out.add(
                                                new Dir(
                                                        true,
                                                        Set.of(),
                                                        m.resolve(rel),
                                                        rel.isEmpty())));
            } else {
                Set<String> controllers = new HashSet<>(Arrays.asList(f[1].split(",")));
                mountOf(mounts, "cgroup", controllers)
                        .ifPresent(
                                m ->
                                        out.add(
                                                new Dir(
                                                        false,
                                                        controllers,
                                                        m.resolve(rel),
                                                        rel.isEmpty())));
            }
        }
        return out;
    }

    /**
     * The first mount of a hierarchy: its root must be "/", so the path in /proc/PID/cgroup applies
     * as is.
     */
    private static java.util.Optional<Path> mountOf(
            List<MountInfo> mounts, String fsType, Set<String> controllers) {
        for (MountInfo m : mounts) {
            if (!m.fsType().equals(fsType) || !m.root().equals("/")) {
                continue;
            }
            if (fsType.equals("cgroup2")
                    || new HashSet<>(Arrays.asList(m.superOptions().split(",")))
                            .containsAll(controllers)) {
                return java.util.Optional.of(Path.of(m.mountPoint()));
            }
        }
        return java.util.Optional.empty();
    }
}
