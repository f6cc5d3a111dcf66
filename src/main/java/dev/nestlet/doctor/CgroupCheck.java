package dev.nestlet.doctor;

import dev.nestlet.proc.MountInfo;
import dev.nestlet.proc.MountTable;
import java.io.IOException;
import java.util.List;

/** Which cgroup layout the host has (v1, v2, hybrid); nestlet delegates on each. */
final class CgroupCheck implements Check {
    @Override
    public String name() {
        return "cgroups";
    }

    @Override
    public CheckResult run() throws IOException {
        MountTable mounts = MountTable.of("self");
        List<MountInfo> v2 = mounts.ofType("cgroup2");
        List<MountInfo> v1 = mounts.ofType("cgroup");
        if (v1.isEmpty() && v2.isEmpty()) {
            return CheckResult.fail(name(), "no cgroup filesystem mounted", fix());
        }
        if (v1.isEmpty()) {
            return CheckResult.ok(name(), "v2 at " + v2.get(0).mountPoint());
        }
        if (v2.isEmpty()) {
            return CheckResult.ok(name(), "v1, " + v1.size() + " hierarchies");
        }
        return CheckResult.ok(
                name(),
                "hybrid: v1, " + v1.size() + " hierarchies, and v2 at " + v2.get(0).mountPoint());
    }

    @Override
    public String fix() {
        return "mount cgroup2 at /sys/fs/cgroup (systemd does), or the v1 hierarchies";
    }
}
