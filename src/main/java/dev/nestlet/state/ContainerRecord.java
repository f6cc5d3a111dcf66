package dev.nestlet.state;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What nestletd knows of one system container, persisted as JSON so that a
 * restarted daemon can finish or undo what it started.
 *
 * @param pidStartTime start time of {@code pid} in clock ticks since boot; a
 *                     pid with another start time is a different process
 * @param stage        the last lifecycle step nestlet completed for it
 * @param rootUid      host uid of the container's root (0 without a user namespace)
 * @param dataDir      host directory holding its inner data dirs, or null
 * @param mounts       paths inside the container that nestlet mounted
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerRecord(String id, int pid, long pidStartTime, String bundle, String rootfs, String runtime,
        Stage stage, Map<String, String> annotations, String created, int rootUid, int rootGid, String dataDir,
        List<String> mounts) {

    public ContainerRecord {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }

    public ContainerRecord withStage(Stage s) {
        return new ContainerRecord(id, pid, pidStartTime, bundle, rootfs, runtime, s, annotations, created, rootUid,
                rootGid, dataDir, mounts);
    }

    public ContainerRecord withDataDir(String dir, List<String> mounted) {
        return new ContainerRecord(id, pid, pidStartTime, bundle, rootfs, runtime, stage, annotations, created,
                rootUid, rootGid, dir, mounted);
    }

    /** The same record with {@code more} added to the paths nestlet mounted inside. */
    public ContainerRecord withMoreMounts(List<String> more) {
        List<String> all = new java.util.ArrayList<>(mounts);
        all.addAll(more);
        return new ContainerRecord(id, pid, pidStartTime, bundle, rootfs, runtime, stage, annotations, created,
                rootUid, rootGid, dataDir, all);
    }
}
