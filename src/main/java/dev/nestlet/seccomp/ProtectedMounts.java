package dev.nestlet.seccomp;

import dev.nestlet.proc.MountInfo;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The mounts nestlet put inside one container, which the container must not unmount, remount or
 * move away (that would uncover what they hide).
 *
 * <p>A protected mount is known by where it is (its mount point, relative to the container's root)
 * and by what it is (filesystem type, source and root within the filesystem), taken from the
 * container init's mount table: at each protected path, the oldest mount (the first in mountinfo
 * order; mount ids are reused, so they say nothing of age) is nestlet's, anything stacked later is
 * the container's own. What it is survives into copies of the mount namespace (`unshare -m` inside
 * the container), so the copies are protected too, while a bind of the same directory elsewhere, or
 * a mount the container stacked on top, is not.
 */
public final class ProtectedMounts {
    private record Identity(String fsType, String source, String root) {
        static Identity of(MountInfo m) {
            return new Identity(m.fsType(), m.source(), m.root());
        }
    }

    private final Set<String> paths;
    private final Set<Identity> identities;

    private ProtectedMounts(Set<String> paths, Set<Identity> identities) {
        this.paths = paths;
        this.identities = identities;
    }

    public static final ProtectedMounts NONE = new ProtectedMounts(Set.of(), Set.of());

    /**
     * From the container init's mount table and the paths nestlet mounted (ContainerRecord.mounts).
     */
    public static ProtectedMounts capture(List<MountInfo> initMounts, List<String> paths) {
        Set<String> wanted = new HashSet<>(paths);
        Set<Identity> ids = new HashSet<>();
        for (String p : wanted) {
            initMounts.stream()
                    .filter(m -> m.mountPoint().equals(p))
                    .findFirst()
                    .ifPresent(m -> ids.add(Identity.of(m)));
        }
        return new ProtectedMounts(Set.copyOf(wanted), Set.copyOf(ids));
    }

    /** True when {@code mount}, a line of the caller's own mount table, is one of nestlet's. */
    public boolean covers(MountInfo mount) {
        return paths.contains(mount.mountPoint()) && identities.contains(Identity.of(mount));
    }

    /**
     * True when one of nestlet's mounts in {@code mounts} (a caller's table) sits beneath the mount
     * with id {@code id}: directly on it ({@code anyDepth} false: what a non-recursive bind of it
     * would leave out) or anywhere below it ({@code anyDepth} true: what a lazy unmount of it would
     * take away).
     */
    public boolean beneath(List<MountInfo> mounts, int id, boolean anyDepth) {
        java.util.Map<Integer, MountInfo> byId = new java.util.HashMap<>();
        mounts.forEach(m -> byId.put(m.id(), m));
        for (MountInfo m : mounts) {
            if (m.id() == id || !covers(m)) {
                continue;
            }
            MountInfo up = m;
            for (int hops = 0; up != null && hops < mounts.size(); hops++) {
                if (up.parent() == id) {
                    return true;
                }
                if (!anyDepth || up.parent() == up.id()) {
                    break;
                }
                up = byId.get(up.parent());
            }
        }
        return false;
    }

    /** nestlet's mounts in {@code mounts} that sit directly on the mount with id {@code id}. */
    public List<MountInfo> onTopOf(List<MountInfo> mounts, int id) {
        return mounts.stream().filter(m -> m.parent() == id && m.id() != id && covers(m)).toList();
    }

    public boolean isEmpty() {
        return identities.isEmpty();
    }
}
