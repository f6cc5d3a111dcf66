package dev.nestlet.lifecycle;

import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.fault.CrashPoint;
import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.oci.Annotations;
import dev.nestlet.oci.BundleConfig;
import dev.nestlet.oci.Bundles;
import dev.nestlet.oci.HookStage;
import dev.nestlet.oci.OciState;
import dev.nestlet.state.ContainerIds;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.LiveContainer;
import dev.nestlet.state.Registry;
import dev.nestlet.state.Stage;
import dev.nestlet.sys.SysException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * What each hook stage means for a system container: createRuntime registers it and sets up every
 * feature; createContainer lets features redo what the runtime undid; poststop releases it. All
 * steps of one id are serialized.
 */
public final class HookService {
    private static final Logger LOG = Logger.getLogger(HookService.class.getName());

    /**
     * How long a prepared bundle may wait for its createRuntime before its runtime state decides.
     */
    static final Duration PREPARED_GRACE = Duration.ofSeconds(60);

    private final Registry registry;
    private final NamespaceWorkers workers;
    private final List<Feature> features;
    private final InitProcess.Finder inits;

    public HookService(
            Registry registry,
            NamespaceWorkers workers,
            List<Feature> features,
            InitProcess.Finder inits) {
        this.registry = registry;
        this.workers = workers;
        this.features = List.copyOf(features);
        this.inits = inits;
    }

    /** {@code callerPid}: the hook process, whose parent is the runtime. */
    public HookResult handle(HookStage stage, OciState state, int callerPid) throws Exception {
        if (state == null) {
            throw new NestletException(ErrorCode.BAD_REQUEST, "hook request has no \"state\"");
        }
        String id = ContainerIds.check(state.id());
        if (!Annotations.MODE_SYSTEM.equals(state.annotation(Annotations.MODE))) {
            return new HookResult(id, HookResult.IGNORED);
        }
        return switch (stage) {
            case CREATE_RUNTIME -> createRuntime(id, state, callerPid);
            case CREATE_CONTAINER -> createContainer(id);
            case POSTSTOP -> poststop(id);
            default -> new HookResult(id, HookResult.NONE);
        };
    }

    private HookResult createRuntime(String id, OciState state, int callerPid) throws Exception {
        if (state.pid() == null || state.pid() <= 0) {
            throw new NestletException(
                    ErrorCode.BAD_REQUEST, "createRuntime state of " + id + " has no pid");
        }
        int pid = state.pid();
        BundleConfig config = Bundles.open(state.bundle());
        Path rootfs = Bundles.rootfsOf(config);
        synchronized (registry.lockFor(id)) {
            ContainerRecord base =
                    ContainerRecord.fromHook(
                            id,
                            config.bundle().toString(),
                            rootfs.toString(),
                            Instant.now().toString());
            Optional<LiveContainer> existing = registry.get(id);
            if (existing.isPresent()) {
                LiveContainer old = existing.get();
                if (old.record().stage() == Stage.PREPARED) {
                    base = old.record(); // nestlet-runtime prepared it: keep its range and
                    // shifted rootfs
                } else if (old.initAlive()) {
                    if (old.record().pid() == pid) {
                        return new HookResult(id, HookResult.REGISTERED);
                    }
                    throw new NestletException(
                            ErrorCode.CONFLICT,
                            "container "
                                    + id
                                    + " is already registered with live pid "
                                    + old.record().pid());
                } else {
                    release(old);
                }
            }
            InitProcess init = inits.find(id, pid, rootfs, callerPid);
            try {
                return register(base, pid, init, state, config, rootfs);
            } catch (Exception e) {
                init.pidfd().close(); // idempotent; a failed registration keeps no pidfd
                throw e;
            }
        }
    }

    private HookResult register(
            ContainerRecord base,
            int pid,
            InitProcess init,
            OciState state,
            BundleConfig config,
            Path rootfs)
            throws Exception {
        long t0 = System.nanoTime();
        String id = base.id();
        ContainerRecord rec =
                base.withInit(
                        pid,
                        init.startTime(),
                        init.runtime(),
                        state.annotations(),
                        Instant.now().toString(),
                        init.rootUid(),
                        init.rootGid());
        LiveContainer c = registry.put(rec, init.pidfd());
        CrashPoint.CREATE_RUNTIME_REGISTERED.reached();
        ContainerAccess access = new ContainerAccess(id, init.pidfd(), workers, config, rootfs);
        StringBuilder timings = new StringBuilder(); // ms per feature, for the log
        try {
            // Written once before and once after: every feature releases by container id,
            // so a crash in between is undone without knowing how far it got.
            for (Feature f : features) {
                ContainerRecord before = rec;
                long f0 = System.nanoTime();
                rec = inFeature(f, () -> f.createRuntime(before, access));
                f.crashPoint().reached();
                timings.append(", ")
                        .append(f.name())
                        .append(' ')
                        .append((System.nanoTime() - f0) / 1_000_000);
            }
            registry.update(c, rec.withStage(Stage.RUNNING));
            CrashPoint.CREATE_RUNTIME_DONE.reached();
        } catch (Exception e) {
            try {
                release(c);
            } catch (Exception undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        LOG.info(
                "registered "
                        + id
                        + " in "
                        + (System.nanoTime() - t0) / 1_000_000
                        + " ms (pid "
                        + pid
                        + ", root uid "
                        + init.rootUid()
                        + timings
                        + ")");
        return new HookResult(id, HookResult.REGISTERED);
    }

    private HookResult createContainer(String id) throws Exception {
        synchronized (registry.lockFor(id)) {
            LiveContainer c =
                    registry.get(id)
                            .orElseThrow(
                                    () ->
                                            new NestletException(
                                                    ErrorCode.NOT_FOUND,
                                                    "container "
                                                            + id
                                                            + " is not registered (did createRuntime run?)"));
            BundleConfig config = Bundles.open(c.record().bundle());
            ContainerAccess access =
                    new ContainerAccess(
                            id, c.pidfd(), workers, config, Path.of(c.record().rootfs()));
            for (Feature f : features) {
                ContainerRecord rec = inFeature(f, () -> f.createContainer(c.record(), access));
                registry.update(c, rec);
            }
            return new HookResult(id, HookResult.UPDATED);
        }
    }

    private HookResult poststop(String id) throws Exception {
        synchronized (registry.lockFor(id)) {
            Optional<LiveContainer> c = registry.get(id);
            if (c.isEmpty()) {
                return new HookResult(id, HookResult.NONE);
            }
            if (c.get().initAlive()) {
                // A runtime sends poststop after the init is gone: a live init means the request is
                // early or forged. Releasing now would hand its range out again and remove its data
                // dirs under it; the reconciler releases it once its pidfd says it exited.
                LOG.warning(
                        "poststop for "
                                + id
                                + " while its init "
                                + c.get().record().pid()
                                + " still runs: deferred until it exits");
                return new HookResult(id, HookResult.DEFERRED);
            }
            release(c.get());
            return new HookResult(id, HookResult.RELEASED);
        }
    }

    /**
     * After a restart: lets every feature re-attach to a registered container whose init still
     * runs; {@code readAhead} is its bundle's config when already read (else null: read here).
     */
    public void reattach(String id, BundleConfig readAhead) throws Exception {
        synchronized (registry.lockFor(id)) {
            Optional<LiveContainer> found = registry.get(id);
            if (found.isEmpty() || !found.get().initAlive()) {
                return;
            }
            LiveContainer c = found.get();
            BundleConfig config = readAhead != null ? readAhead : Bundles.open(c.record().bundle());
            ContainerAccess access =
                    new ContainerAccess(
                            id, c.pidfd(), workers, config, Path.of(c.record().rootfs()));
            for (Feature f : features) {
                ContainerRecord rec = inFeature(f, () -> f.reattach(c.record(), access));
                // Most features change nothing here: the record on disk is already this one.
                if (!rec.equals(c.record())) {
                    registry.update(c, rec);
                }
            }
            LOG.info("re-attached " + id);
        }
    }

    /** Releases a container that is gone (see {@link #isGone}); used by the reconciler. */
    public boolean releaseIfGone(String id) throws Exception {
        synchronized (registry.lockFor(id)) {
            Optional<LiveContainer> c = registry.get(id);
            if (c.isEmpty() || !isGone(c.get())) {
                return false;
            }
            LOG.info("container " + id + " is gone without poststop; releasing it");
            CrashPoint.RECONCILER_RELEASING.reached();
            release(c.get());
            return true;
        }
    }

    /**
     * A registered container is gone when its init has exited. A prepared one (nestlet-runtime ran,
     * createRuntime did not yet) is gone when its bundle is, or when after a grace period its
     * runtime has no state for it: its create failed or it was deleted before it started.
     */
    public boolean isGone(LiveContainer c) {
        ContainerRecord r = c.record();
        if (r.stage() != Stage.PREPARED) {
            return !c.initAlive();
        }
        if (!Files.isDirectory(Path.of(r.bundle()))) {
            return true;
        }
        if (r.prepared() == null
                || Instant.parse(r.prepared()).plus(PREPARED_GRACE).isAfter(Instant.now())) {
            return false;
        }
        return r.runtimeRoot() == null || !Files.exists(Path.of(r.runtimeRoot(), r.id()));
    }

    /** Releases {@code id} now, whatever its state; the caller holds its lock or does not care. */
    public void release(String id) throws Exception {
        synchronized (registry.lockFor(id)) {
            Optional<LiveContainer> c = registry.get(id);
            if (c.isPresent()) {
                release(c.get());
            }
        }
    }

    /**
     * Undoes every feature in reverse order; the record stays (stage stopping) if any of them
     * fails.
     */
    private void release(LiveContainer c) throws Exception {
        long t0 = System.nanoTime();
        registry.update(c, c.record().withStage(Stage.STOPPING));
        CrashPoint.RELEASE_STOPPING.reached();
        Exception first = null;
        for (int i = features.size() - 1; i >= 0; i--) {
            Feature f = features.get(i);
            try {
                inFeature(
                        f,
                        () -> {
                            f.release(c.record());
                            return null;
                        });
            } catch (Exception e) {
                LOG.warning("release of " + c.record().id() + " failed: " + e.getMessage());
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
        CrashPoint.RELEASE_RANGE_FREED.reached();
        registry.remove(c.record().id());
        LOG.info(
                "released "
                        + c.record().id()
                        + " in "
                        + (System.nanoTime() - t0) / 1_000_000
                        + " ms");
    }

    private interface Step<T> {
        T run() throws Exception;
    }

    /** Prefixes a feature's failure with its name, keeping the error code. */
    private static <T> T inFeature(Feature f, Step<T> step) throws Exception {
        try {
            return step.run();
        } catch (NestletException e) {
            throw new NestletException(e.code(), f.name() + ": " + e.getMessage(), e);
        } catch (SysException e) {
            throw new NestletException(ErrorCode.KERNEL, f.name() + ": " + e.getMessage(), e);
        }
    }
}
