package dev.nestlet.cgroup;

import dev.nestlet.fault.CrashPoint;
import dev.nestlet.lifecycle.ContainerAccess;
import dev.nestlet.lifecycle.Feature;
import dev.nestlet.proc.MountInfo;
import dev.nestlet.proc.MountTable;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.SysException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Hands a system container its own cgroups, so an inner dockerd can make child cgroups and move
 * processes into them: the container's cgroup directories (v1 and v2) and their process files
 * become owned by the container's root (cgroup v2 delegation: the directory, cgroup.procs,
 * cgroup.threads, cgroup.subtree_control; v1 likewise with tasks). Its own limits stay root's, and
 * nothing above its cgroup changes hands.
 *
 * <p>The cgroup mounts inside must be writable: prepare drops "ro" from them; runtimes that remount
 * them read-only after createRuntime (crun) are undone at createContainer.
 */
public final class CgroupDelegation implements Feature {
    private static final Logger LOG = Logger.getLogger(CgroupDelegation.class.getName());
    private static final List<String> V2_FILES =
            List.of("cgroup.procs", "cgroup.threads", "cgroup.subtree_control");
    private static final List<String> V1_FILES =
            List.of("tasks", "cgroup.procs", "cgroup.clone_children");

    @Override
    public String name() {
        return "cgroup delegation";
    }

    @Override
    public CrashPoint crashPoint() {
        return CrashPoint.FEATURE_CGROUP_DELEGATION;
    }

    @Override
    public ContainerRecord createRuntime(ContainerRecord rec, ContainerAccess access)
            throws Exception {
        List<String> delegated = new ArrayList<>();
        for (CgroupDirs.Dir d : CgroupDirs.of(rec.pid())) {
            if (d.hierarchyRoot() || !Files.isDirectory(d.path())) {
                // A container in the root cgroup shares it with the host: never hand that over.
                continue;
            }
            if (rec.rootUid() != 0 || rec.rootGid() != 0) {
                chown(d.path(), rec.rootUid(), rec.rootGid());
                for (String f : d.v2() ? V2_FILES : V1_FILES) {
                    Path file = d.path().resolve(f);
                    if (Files.exists(file)) {
                        chown(file, rec.rootUid(), rec.rootGid());
                    }
                }
            }
            delegated.add(d.path().toString());
        }
        return rec.withCgroups(delegated);
    }

    /** cgroupfs has no symlinks and the container cannot rename these dirs: a path is safe here. */
    private static void chown(Path p, int uid, int gid) {
        FileCalls.lchown(p.toString(), uid, gid);
    }

    /** crun re-applies read-only cgroup mounts after createRuntime: make them writable again. */
    @Override
    public ContainerRecord createContainer(ContainerRecord rec, ContainerAccess access)
            throws Exception {
        String cgroupDir = access.rootfs().resolve("sys/fs/cgroup").toString();
        List<MountInfo> inside = MountTable.of(rec.pid()).atOrBelow(cgroupDir);
        access.inMountNamespace(
                () -> {
                    for (MountInfo m : inside) {
                        if (m.options().split(",")[0].equals("ro")) {
                            try {
                                MountCalls.setAttr(m.mountPoint(), 0, MountCalls.MOUNT_ATTR_RDONLY);
                            } catch (SysException e) {
                                LOG.warning(
                                        "cannot make "
                                                + m.mountPoint()
                                                + " writable: "
                                                + e.getMessage());
                            }
                        }
                    }
                    return null;
                });
        return rec;
    }

    @Override
    public void release(ContainerRecord rec) {
        // The runtime removes the cgroups; ownership goes with them.
    }
}
