package dev.nestlet.proc;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A mount table (/proc/PID/mountinfo) in the kernel's order, oldest mount first, and the questions
 * nestlet asks of it. Where several mounts are stacked at one point, the one listed last is on top.
 */
public record MountTable(List<MountInfo> all) {

    public MountTable {
        all = List.copyOf(all);
    }

    /** The mount table of process {@code pidOrSelf} ("self" for nestletd's own). */
    public static MountTable of(String pidOrSelf) throws IOException {
        return parse(
                MountInfo.decode(
                        MountInfo.readBounded(
                                Path.of("/proc/" + pidOrSelf + "/mountinfo"),
                                MountInfo.MAX_TABLE_BYTES)));
    }

    public static MountTable of(int pid) throws IOException {
        return of(Integer.toString(pid));
    }

    public static MountTable parse(String text) {
        return new MountTable(MountInfo.parse(text));
    }

    /** The mount with this id. */
    public Optional<MountInfo> byId(int id) {
        for (MountInfo m : all) {
            if (m.id() == id) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** The mounts stacked at exactly {@code path}, the one on top first. */
    public List<MountInfo> stackAt(String path) {
        List<MountInfo> out = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).mountPoint().equals(path)) {
                out.add(all.get(i));
            }
        }
        return out;
    }

    /** The mount on top at exactly {@code path}. */
    public Optional<MountInfo> topAt(String path) {
        return stackAt(path).stream().findFirst();
    }

    /** The mounts at {@code dir} or below it, in table order. */
    public List<MountInfo> atOrBelow(String dir) {
        return all.stream().filter(m -> m.isAtOrBelow(dir)).toList();
    }

    /**
     * The mounts at {@code dir} or below it, the last listed first: the order to take them off in.
     */
    public List<MountInfo> atOrBelowLastFirst(String dir) {
        List<MountInfo> out = new ArrayList<>(atOrBelow(dir));
        java.util.Collections.reverse(out);
        return out;
    }

    /** The mounts of filesystem type {@code fsType}, in table order. */
    public List<MountInfo> ofType(String fsType) {
        return all.stream().filter(m -> m.fsType().equals(fsType)).toList();
    }
}
