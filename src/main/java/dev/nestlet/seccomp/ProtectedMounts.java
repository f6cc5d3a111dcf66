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

    public boolean isEmpty() {
        return identities.isEmpty();
    }
}
