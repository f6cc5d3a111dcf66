package dev.nestlet.state;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import dev.nestlet.idmap.IdRange;
import dev.nestlet.shift.ShiftResult;

/**
 * What nestletd knows of one system container, persisted as JSON so that a
 * restarted daemon can finish or undo what it started.
 *
 * @param pid          host pid of its init, 0 while only prepared
 * @param pidStartTime start time of {@code pid} in clock ticks since boot; a
 *                     pid with another start time is a different process
 * @param runtime      the OCI runtime (runc, crun) that runs it
 * @param runtimeRoot  that runtime's state dir, when nestlet-runtime knew it
 * @param stage        the last lifecycle step nestlet completed for it
 * @param prepared     when nestlet-runtime prepared its bundle (null on the hook path)
 * @param rootUid      host uid of the container's root (0 without a user namespace)
 * @param idRange      its exclusive id range, or the engine's mapping nestlet adopted
 * @param shift        how its rootfs and volumes were shifted, if nestlet did it
 * @param dataDir      host directory holding its inner data dirs, or null
 * @param mounts       paths inside the container that nestlet mounted
 * @param cgroups      host cgroup directories delegated to its root
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerRecord(String id, int pid, long pidStartTime, String bundle, String rootfs, String runtime,
        String runtimeRoot, Stage stage, Map<String, String> annotations, String prepared, String created,
        int rootUid, int rootGid, IdRange idRange, boolean idRangeAdopted, ShiftResult shift, String dataDir,
        List<String> mounts, List<String> cgroups) {

    public ContainerRecord {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        cgroups = cgroups == null ? List.of() : List.copyOf(cgroups);
    }

    /** A container known from its createRuntime hook only. */
    public static ContainerRecord fromHook(String id, String bundle, String rootfs, String created) {
        return new ContainerRecord(id, 0, 0, bundle, rootfs, null, null, Stage.CREATING, Map.of(), null, created, 0,
                0, null, false, null, null, List.of(), List.of());
    }

    /** A container whose bundle nestlet-runtime prepared, before its runtime starts it. */
    public static ContainerRecord prepared(String id, String bundle, String rootfs, String runtime,
            String runtimeRoot, String when) {
        return new ContainerRecord(id, 0, 0, bundle, rootfs, runtime, runtimeRoot, Stage.PREPARED, Map.of(), when,
                null, 0, 0, null, false, null, null, List.of(), List.of());
    }

    public ContainerRecord withStage(Stage s) {
        return new ContainerRecord(id, pid, pidStartTime, bundle, rootfs, runtime, runtimeRoot, s, annotations,
                prepared, created, rootUid, rootGid, idRange, idRangeAdopted, shift, dataDir, mounts, cgroups);
    }

    /** The init the runtime started at createRuntime, and what its namespaces say. */
    public ContainerRecord withInit(int initPid, long startTime, String runtimeName, Map<String, String> annos,
            String when, int uid, int gid) {
        return new ContainerRecord(id, initPid, startTime, bundle, rootfs,
                runtime != null ? runtime : runtimeName, runtimeRoot, Stage.CREATING, annos, prepared, when, uid,
                gid, idRange, idRangeAdopted, shift, dataDir, mounts, cgroups);
    }

    public ContainerRecord withIdRange(IdRange range, boolean adopted) {
        return new ContainerRecord(id, pid, pidStartTime, bundle, rootfs, runtime, runtimeRoot, stage, annotations,
                prepared, created, rootUid, rootGid, range, adopted, shift, dataDir, mounts, cgroups);
    }

    /** The config's annotations, known from prepare on (createRuntime records the state's). */
    public ContainerRecord withAnnotations(Map<String, String> annos) {
        return new ContainerRecord(id, pid, pidStartTime, bundle, rootfs, runtime, runtimeRoot, stage, annos,
                prepared, created, rootUid, rootGid, idRange, idRangeAdopted, shift, dataDir, mounts, cgroups);
    }

    public ContainerRecord withShift(ShiftResult s) {
        return new ContainerRecord(id, pid, pidStartTime, bundle, rootfs, runtime, runtimeRoot, stage, annotations,
                prepared, created, rootUid, rootGid, idRange, idRangeAdopted, s, dataDir, mounts, cgroups);
    }

    public ContainerRecord withDataDir(String dir, List<String> mounted) {
        return new ContainerRecord(id, pid, pidStartTime, bundle, rootfs, runtime, runtimeRoot, stage, annotations,
                prepared, created, rootUid, rootGid, idRange, idRangeAdopted, shift, dir, mounted, cgroups);
    }

    public ContainerRecord withCgroups(List<String> delegated) {
        return new ContainerRecord(id, pid, pidStartTime, bundle, rootfs, runtime, runtimeRoot, stage, annotations,
                prepared, created, rootUid, rootGid, idRange, idRangeAdopted, shift, dataDir, mounts, delegated);
    }

    /** The same record with {@code more} added to the paths nestlet mounted inside. */
    public ContainerRecord withMoreMounts(List<String> more) {
        List<String> all = new java.util.ArrayList<>(mounts);
        all.addAll(more);
        return new ContainerRecord(id, pid, pidStartTime, bundle, rootfs, runtime, runtimeRoot, stage, annotations,
                prepared, created, rootUid, rootGid, idRange, idRangeAdopted, shift, dataDir, all, cgroups);
    }
}
