package dev.nestlet.seccomp;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.SysException;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * How the agent's checks find a caller's mounts. A container controls its own mount table, and
 * reading the whole of it for every unmount costs the kernel alone about 29 ms of CPU at 16 000
 * entries (bench/RESULTS.md, issue 11), so where the kernel has statmount(2) and listmount(2) with
 * a mount namespace fd (Linux 6.18) the checks ask about the mount concerned and what is beneath it
 * only; elsewhere they read /proc/TID/mountinfo as before.
 */
enum MountLookup {
    /** statmount/listmount in the caller's mount namespace (mnt_id_req.mnt_ns_fd). */
    STATMOUNT,
    /** The caller's whole /proc/TID/mountinfo. */
    MOUNTINFO;

    /**
     * Forces the lookup ({@code statmount} or {@code mountinfo}) instead of probing the kernel: how
     * the tests keep the mountinfo path covered on a kernel that has both.
     */
    static final String PROPERTY = "nestlet.mount-lookup";

    private static final Logger LOG = Logger.getLogger(MountLookup.class.getName());

    /** The lookup {@link #PROPERTY} names, else STATMOUNT when this kernel answers it. */
    static MountLookup choose() {
        String forced = System.getProperty(PROPERTY, "").trim();
        MountLookup chosen = forced.isEmpty() ? probe() : valueOf(forced.toUpperCase(Locale.ROOT));
        LOG.info(
                "seccomp: mount checks use "
                        + chosen.name().toLowerCase(Locale.ROOT)
                        + (forced.isEmpty() ? "" : " (" + PROPERTY + ")"));
        return chosen;
    }

    /** STATMOUNT when statmount of nestletd's own root, asked through its namespace fd, works. */
    private static MountLookup probe() {
        try (Fd root = FileCalls.open("/", FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0);
                Fd ns = FileCalls.open("/proc/thread-self/ns/mnt", FileCalls.O_RDONLY, 0)) {
            MountCalls.statmount(FileCalls.uniqueMountId(root), ns);
            MountCalls.listmount(FileCalls.uniqueMountId(root), ns);
            return STATMOUNT;
        } catch (SysException e) {
            LOG.info("seccomp: no statmount with a namespace fd (" + e.getMessage() + ")");
            return MOUNTINFO;
        }
    }
}
