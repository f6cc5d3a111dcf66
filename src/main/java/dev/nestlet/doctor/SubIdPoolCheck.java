package dev.nestlet.doctor;

import dev.nestlet.idmap.IdPool;
import dev.nestlet.idmap.IdRange;
import java.io.IOException;
import java.util.List;

/**
 * nestlet's id pool in the subuid and subgid files, read the way nestletd reads it (IdPool, which
 * refuses a pool overlapping another user's entry): present, at least one range, and clear of the
 * ids the kubelet gives pods with {@code hostUsers: false} by default.
 */
final class SubIdPoolCheck implements Check {
    /** Pods per node the kubelet allows by default (--max-pods). */
    static final long KUBELET_MAX_PODS = 110;

    /**
     * The kubelet's default user-namespace ids: 65536 per pod, from 65536, one block per pod it may
     * run (pkg/kubelet/userns hands out the lowest free block), so up to 65536 x (max pods + 1).
     * The .deb's packaging/deb/subid-pool has its own copy in shell; SubIdPoolCheckTest keeps the
     * two in step.
     */
    static final IdRange KUBELET = new IdRange(65536, 65536, 65536 * KUBELET_MAX_PODS);

    private final DoctorSettings settings;

    SubIdPoolCheck(DoctorSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "subuid pool";
    }

    @Override
    public CheckResult run() throws IOException {
        IdPool pool =
                IdPool.fromSubIdFiles(
                        settings.subuid(),
                        settings.subgid(),
                        settings.poolUser(),
                        settings.rangeSize());
        List<IdRange> blocks = pool.blocks();
        if (blocks.isEmpty()) {
            return CheckResult.fail(
                    name(),
                    "no entry of "
                            + settings.poolUser()
                            + " with at least "
                            + settings.rangeSize()
                            + " ids in "
                            + settings.subuid()
                            + " and "
                            + settings.subgid(),
                    fix());
        }
        List<IdRange> kubelet = blocks.stream().filter(KUBELET::overlaps).toList();
        if (!kubelet.isEmpty()) {
            return CheckResult.fail(
                    name(),
                    "ranges "
                            + kubelet.get(0)
                            + (kubelet.size() > 1 ? " and " + (kubelet.size() - 1) + " more" : "")
                            + " overlap the kubelet's default user-namespace ids "
                            + KUBELET,
                    fix());
        }
        return CheckResult.ok(
                name(),
                blocks.size()
                        + " ranges of "
                        + settings.rangeSize()
                        + " from "
                        + blocks.get(0)
                        + " ("
                        + pool.source()
                        + ")");
    }

    @Override
    public String fix() {
        long floor = KUBELET.uidBase() + KUBELET.size();
        return "add one line '"
                + settings.poolUser()
                + ":START:COUNT' in "
                + settings.subuid()
                + " and "
                + settings.subgid()
                + ", COUNT a multiple of "
                + settings.rangeSize()
                + ", START at or above "
                + floor
                + " and covering no other line";
    }
}
