package dev.nestlet.fault;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The steps of a container's lifecycle at which a test may make nestletd die as SIGKILL would, so
 * that recovery from a crash at each of them is proven one by one ({@code FaultInjectionIT} runs
 * one case per constant: a new step gets its case by being added here). Armed with the system
 * property {@code nestlet.crash-at=POINT[:N]} (through {@code NESTLETD_JAVA_OPTS}; docs/install.md
 * "Fault injection"): the Nth time nestletd reaches POINT (default the first) it writes one line to
 * stderr and halts, running no shutdown hook and flushing nothing. Unarmed, {@link #reached} is a
 * field read.
 *
 * <p>What a crash at each point proves is that the next nestletd undoes or keeps what the step did,
 * since every step is recorded by container id before it takes effect.
 */
public enum CrashPoint {
    /** prepare: the container's first record is written, nothing else exists yet. */
    PREPARE_RECORDED,
    /**
     * prepare: the id range is allocated and journalled, the record does not name it: the journal
     * alone says the range is the container's.
     */
    PREPARE_IDS,
    /**
     * The id journal's line is written (the first append: prepare's allocation), the allocator has
     * not returned: the line, not the answer, is what holds the range.
     */
    ID_JOURNAL_APPENDED,
    /**
     * prepare: the rootfs and volumes are shifted (ID-mapped mounts under STATE/mounts/ID, the user
     * namespace for them), the record does not say so: the mounts are found by container id.
     */
    PREPARE_SHIFTED,
    /** prepare: the inner data dirs exist on the host, the record does not name them. */
    PREPARE_DATADIRS,
    /** prepare: the record says everything, config.json is not rewritten yet. */
    PREPARE_CONFIG,
    /**
     * prepare: config.json is rewritten, the runtime has no answer: the engine sees a failed create
     * and removes the bundle.
     */
    PREPARE_WRITTEN,
    /** createRuntime: the init's record is written (its pid), no feature has run. */
    CREATE_RUNTIME_REGISTERED,
    /** createRuntime: after the feature holding the range and shifted rootfs (nothing to do). */
    FEATURE_PREPARED_RESOURCES,
    /** createRuntime: after the pod network feature (for a pod sandbox, its interfaces moved). */
    FEATURE_POD_NETWORK,
    /** createRuntime: after the container's cgroup dirs were given to its root. */
    FEATURE_CGROUP_DELEGATION,
    /** createRuntime: after the inner data dirs were bound into the container. */
    FEATURE_DATA_DIRS,
    /** createRuntime: after the virtual files and sysctl binds were made in the container. */
    FEATURE_VIRTUAL_FILES,
    /** createRuntime: the record says running, the hook has no answer. */
    CREATE_RUNTIME_DONE,
    /**
     * A seccomp listener fd arrived from the runtime and is not yet in the fd store: the one moment
     * when nestletd alone holds it.
     */
    SECCOMP_LISTENER_RECEIVED,
    /** A seccomp listener fd is in the fd store, not yet served. */
    SECCOMP_LISTENER_KEPT,
    /**
     * A release (poststop, or the reconciler's): the record says stopping, nothing is released yet.
     */
    RELEASE_STOPPING,
    /**
     * A release: every feature is released, the range freed in the journal, the record not yet
     * removed: the next nestletd releases it again, which must be harmless.
     */
    RELEASE_RANGE_FREED,
    /**
     * A reconciler sweep found a container whose init is gone without poststop and is about to
     * release it.
     */
    RECONCILER_RELEASING;

    /** The system property that arms one point. */
    public static final String PROPERTY = "nestlet.crash-at";

    private static final CrashPoint ARMED;
    private static final int NTH;
    private static final AtomicInteger HITS = new AtomicInteger();

    static {
        String spec = System.getProperty(PROPERTY, "").trim();
        if (spec.isEmpty()) {
            ARMED = null;
            NTH = 0;
        } else {
            int colon = spec.indexOf(':');
            String name = colon < 0 ? spec : spec.substring(0, colon);
            ARMED = valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
            NTH = colon < 0 ? 1 : Integer.parseInt(spec.substring(colon + 1));
            if (NTH < 1) {
                throw new IllegalArgumentException(PROPERTY + ": N must be 1 or more: " + spec);
            }
        }
    }

    /**
     * The armed point and count as {@code POINT:N}, or null when none is; throws (at class
     * initialization) when the property names no point, so a mistyped one stops nestletd at start.
     */
    public static String armed() {
        return ARMED == null ? null : ARMED + ":" + NTH;
    }

    /** Halts nestletd here if this point is armed and this is its Nth time. */
    public void reached() {
        if (this != ARMED || HITS.incrementAndGet() != NTH) {
            return;
        }
        try {
            // Unbuffered, straight to fd 2: the log line tells the test which point it got.
            new FileOutputStream(FileDescriptor.err)
                    .write(
                            ("nestletd: crash point " + this + " reached, halting\n")
                                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // Halting is the point; a lost line only costs the test its confirmation.
        }
        Runtime.getRuntime().halt(137);
    }
}
