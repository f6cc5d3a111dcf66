package dev.nestlet.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.proc.MountInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CgroupDirsTest {
    private static final String HYBRID_MOUNTS =
            """
            30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755
            31 30 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
            32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
            33 30 0:29 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd
            34 30 0:30 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
            35 30 0:31 /inner /x/bound rw - cgroup cgroup rw,cpu
            """;

    @Test
    void v1AndV2HierarchiesOfAProcess() {
        List<CgroupDirs.Dir> dirs =
                CgroupDirs.resolve(
                        """
                4:memory:/c1
                3:cpu:/c1
                2:name=systemd:/
                0::/c1
                """,
                        MountInfo.parse(HYBRID_MOUNTS));
        assertEquals(4, dirs.size());
        assertEquals(
                new CgroupDirs.Dir(
                        false, Set.of("memory"), Path.of("/sys/fs/cgroup/memory/c1"), false),
                dirs.get(0));
        assertEquals(
                Path.of("/sys/fs/cgroup/cpu/c1"),
                dirs.get(1).path(),
                "the mount with root / is used");
        assertTrue(dirs.get(2).hierarchyRoot(), "a process in the root cgroup is never delegated");
        assertEquals(
                new CgroupDirs.Dir(true, Set.of(), Path.of("/sys/fs/cgroup/unified/c1"), false),
                dirs.get(3));
    }

    @Test
    void pureV2() {
        List<CgroupDirs.Dir> dirs =
                CgroupDirs.resolve(
                        "0::/kubepods/pod1/c2\n",
                        MountInfo.parse(
                                "30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n"));
        assertEquals(
                List.of(
                        new CgroupDirs.Dir(
                                true, Set.of(), Path.of("/sys/fs/cgroup/kubepods/pod1/c2"), false)),
                dirs);
    }
}
