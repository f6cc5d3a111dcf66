package dev.nestlet.cgroup;

import java.nio.file.Path;

/** The recorded cgroup trees of src/test/resources/recorded (see its README). */
public final class Recorded {
    public static final Path ROOT = Path.of("src/test/resources/recorded").toAbsolutePath();
    public static final Path HOST = ROOT.resolve("host");
    public static final Path ONLINE = HOST.resolve("sys/devices/system/cpu/online");

    private Recorded() {}

    /** The runc container on cgroup v1: 256 MiB, cpuset 1, quota 50000/100000. */
    public static Cgroup v1() {
        Path v1 = ROOT.resolve("v1");
        return new CgroupV1(
                v1.resolve("memory"),
                v1.resolve("cpu"),
                v1.resolve("cpuacct"),
                v1.resolve("cpuset"),
                v1.resolve("blkio"),
                ONLINE);
    }

    /**
     * The v2 container kubepods/pod1/ctr: pod limit 256 MiB, no swap, cpuset 0-1, quota
     * 50000/100000.
     */
    public static Cgroup v2() {
        Path v2 = ROOT.resolve("v2");
        return new CgroupV2(v2.resolve("kubepods/pod1/ctr"), v2, ONLINE);
    }
}
