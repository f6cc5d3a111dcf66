package dev.nestlet.kernel;

/**
 * A kernel feature nestletd uses, with the release that introduced it and what nestletd does where
 * it is missing. A required feature has no way round: nestletd refuses to start without it.
 */
public enum KernelFeature {
    MOUNT_API(
            "mount API",
            5,
            2,
            true,
            "fsopen, fsmount, move_mount, open_tree: every mount nestletd makes",
            "none: nestletd refuses to start"),
    SECCOMP_NOTIFY(
            "seccomp user notification",
            5,
            5,
            true,
            "the agent that serves a system container's mount calls (SECCOMP_USER_NOTIF_FLAG_CONTINUE)",
            "none: nestletd refuses to start"),
    OPENAT2(
            "openat2",
            5,
            6,
            true,
            "paths inside a container resolved in its root (RESOLVE_IN_ROOT, RESOLVE_BENEATH)",
            "none: nestletd refuses to start"),
    PIDFD_GETFD(
            "pidfd_getfd",
            5,
            6,
            true,
            "the seccomp agent reads a trapped call's fds from the caller",
            "none: nestletd refuses to start"),
    IDMAPPED_MOUNTS(
            "ID-mapped mounts",
            5,
            12,
            false,
            "rootfs and volumes shown owned by the container's root without a copy",
            "the rootfs is copied with shifted owners (chown copy); volumes are left as they are"),
    OVERLAY_IDMAPPED(
            "overlay on ID-mapped layers",
            5,
            19,
            false,
            "an engine's overlay rootfs rebuilt from ID-mapped layers",
            "that rootfs is copied with shifted owners (chown copy)"),
    TMPFS_IDMAP(
            "tmpfs ID-mapping",
            6,
            3,
            false,
            "nothing of nestlet's yet (listed for a shifted tmpfs volume)",
            "nothing changes"),
    OVERLAY_LOWERDIR_APPEND(
            "overlay lowerdir+",
            6,
            8,
            false,
            "the rebuilt overlay's layers passed one per fsconfig call, no length limit",
            "one lowerdir option of the layers' names relative to the working directory (fsconfig"
                    + " takes 255 bytes: up to 88 layers); a longer layer list is copied (chown"
                    + " copy)"),
    PROC_PIDNS(
            "proc pidns",
            6,
            18,
            false,
            "the seccomp agent's proc for a nested user namespace, made for the caller's pid"
                    + " namespace with fsconfig(pidns)",
            "a helper (nestlet-procfs) joins the caller's pid namespace and opens the proc"
                    + " context there; nestletd configures, creates and attaches it as before");

    private final String title;
    private final int major;
    private final int minor;
    private final boolean required;
    private final String use;
    private final String without;

    KernelFeature(
            String title, int major, int minor, boolean required, String use, String without) {
        this.title = title;
        this.major = major;
        this.minor = minor;
        this.required = required;
        this.use = use;
        this.without = without;
    }

    /** Its name, as logs, status and doctor print it. */
    public String title() {
        return title;
    }

    /** The release that introduced it. */
    public KernelVersion since() {
        return new KernelVersion(major, minor, major + "." + minor);
    }

    public boolean required() {
        return required;
    }

    /** What nestletd uses it for. */
    public String use() {
        return use;
    }

    /** What nestletd does without it. */
    public String without() {
        return without;
    }
}
