package dev.nestlet.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.nestlet.idmap.IdRange;
import dev.nestlet.shift.ShiftResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What nestletd knows of one system container, persisted as JSON so that a restarted daemon can
 * finish or undo what it started.
 *
 * @param pid host pid of its init, 0 while only prepared
 * @param pidStartTime start time of {@code pid} in clock ticks since boot; a pid with another start
 *     time is a different process
 * @param runtime the OCI runtime (runc, crun) that runs it
 * @param runtimeRoot that runtime's state dir, when nestlet-runtime knew it
 * @param stage the last lifecycle step nestlet completed for it
 * @param prepared when nestlet-runtime prepared its bundle (null on the hook path)
 * @param rootUid host uid of the container's root (0 without a user namespace)
 * @param idRange its exclusive id range, or the engine's mapping nestlet adopted
 * @param shift how its rootfs and volumes were shifted, if nestlet did it
 * @param dataDir host directory holding its inner data dirs, or null
 * @param mounts paths inside the container that nestlet mounted
 * @param cgroups host cgroup directories delegated to its root
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerRecord(
        String id,
        int pid,
        long pidStartTime,
        String bundle,
        String rootfs,
        String runtime,
        String runtimeRoot,
        Stage stage,
        Map<String, String> annotations,
        String prepared,
        String created,
        int rootUid,
        int rootGid,
        IdRange idRange,
        boolean idRangeAdopted,
        ShiftResult shift,
        String dataDir,
        List<String> mounts,
        List<String> cgroups) {

    public ContainerRecord {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        cgroups = cgroups == null ? List.of() : List.copyOf(cgroups);
    }

    /** A container known from its createRuntime hook only. */
    public static ContainerRecord fromHook(
            String id, String bundle, String rootfs, String created) {
        Builder b = new Builder(id, bundle, rootfs, Stage.CREATING);
        b.created = created;
        return b.build();
    }

    /** A container whose bundle nestlet-runtime prepared, before its runtime starts it. */
    public static ContainerRecord prepared(
            String id,
            String bundle,
            String rootfs,
            String runtime,
            String runtimeRoot,
            String when) {
        Builder b = new Builder(id, bundle, rootfs, Stage.PREPARED);
        b.runtime = runtime;
        b.runtimeRoot = runtimeRoot;
        b.prepared = when;
        return b.build();
    }

    public ContainerRecord withStage(Stage s) {
        return with(b -> b.stage = s);
    }

    /** The init the runtime started at createRuntime, and what its namespaces say. */
    public ContainerRecord withInit(
            int initPid,
            long startTime,
            String runtimeName,
            Map<String, String> annos,
            String when,
            int uid,
            int gid) {
        return with(
                b -> {
                    b.pid = initPid;
                    b.pidStartTime = startTime;
                    b.runtime = runtime != null ? runtime : runtimeName;
                    b.stage = Stage.CREATING;
                    b.annotations = annos;
                    b.created = when;
                    b.rootUid = uid;
                    b.rootGid = gid;
                });
    }

    public ContainerRecord withIdRange(IdRange range, boolean adopted) {
        return with(
                b -> {
                    b.idRange = range;
                    b.idRangeAdopted = adopted;
                });
    }

    /** The config's annotations, known from prepare on (createRuntime records the state's). */
    public ContainerRecord withAnnotations(Map<String, String> annos) {
        return with(b -> b.annotations = annos);
    }

    public ContainerRecord withShift(ShiftResult s) {
        return with(b -> b.shift = s);
    }

    public ContainerRecord withDataDir(String dir, List<String> mounted) {
        return with(
                b -> {
                    b.dataDir = dir;
                    b.mounts = mounted;
                });
    }

    public ContainerRecord withCgroups(List<String> delegated) {
        return with(b -> b.cgroups = delegated);
    }

    /** The same record with {@code more} added to the paths nestlet mounted inside. */
    public ContainerRecord withMoreMounts(List<String> more) {
        List<String> all = new ArrayList<>(mounts);
        all.addAll(more);
        return with(b -> b.mounts = all);
    }

    /** A copy with what {@code change} sets: the one place that lists every field. */
    private ContainerRecord with(Consumer<Builder> change) {
        Builder b = new Builder(id, bundle, rootfs, stage);
        b.pid = pid;
        b.pidStartTime = pidStartTime;
        b.runtime = runtime;
        b.runtimeRoot = runtimeRoot;
        b.annotations = annotations;
        b.prepared = prepared;
        b.created = created;
        b.rootUid = rootUid;
        b.rootGid = rootGid;
        b.idRange = idRange;
        b.idRangeAdopted = idRangeAdopted;
        b.shift = shift;
        b.dataDir = dataDir;
        b.mounts = mounts;
        b.cgroups = cgroups;
        change.accept(b);
        return b.build();
    }

    /** The fields of a record being made; unset ones are the empty record's. */
    private static final class Builder {
        final String id;
        final String bundle;
        final String rootfs;
        Stage stage;
        int pid;
        long pidStartTime;
        String runtime;
        String runtimeRoot;
        Map<String, String> annotations = Map.of();
        String prepared;
        String created;
        int rootUid;
        int rootGid;
        IdRange idRange;
        boolean idRangeAdopted;
        ShiftResult shift;
        String dataDir;
        List<String> mounts = List.of();
        List<String> cgroups = List.of();

        Builder(String id, String bundle, String rootfs, Stage stage) {
            this.id = id;
            this.bundle = bundle;
            this.rootfs = rootfs;
            this.stage = stage;
        }

        ContainerRecord build() {
            return new ContainerRecord(
                    id,
                    pid,
                    pidStartTime,
                    bundle,
                    rootfs,
                    runtime,
                    runtimeRoot,
                    stage,
                    annotations,
                    prepared,
                    created,
                    rootUid,
                    rootGid,
                    idRange,
                    idRangeAdopted,
                    shift,
                    dataDir,
                    mounts,
                    cgroups);
        }
    }
}
