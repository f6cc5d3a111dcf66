package dev.nestlet.lifecycle;

import dev.nestlet.oci.Bundles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import dev.nestlet.error.NestletException;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.api.Peer;
import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.oci.Annotations;
import dev.nestlet.oci.BundleConfig;
import dev.nestlet.oci.HookStage;
import dev.nestlet.oci.OciState;
import dev.nestlet.proc.IdMapping;
import dev.nestlet.proc.ProcStat;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.LiveContainer;
import dev.nestlet.state.Registry;
import dev.nestlet.state.Stage;
import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.PidCalls;
import dev.nestlet.sys.Stat;
import dev.nestlet.sys.SysException;

/**
 * What each hook stage means for a system container: createRuntime registers
 * it and sets up every feature; createContainer lets features redo what the
 * runtime undid; poststop releases it. All steps of one id are serialized.
 */
public final class HookService {
    private static final Logger LOG = Logger.getLogger(HookService.class.getName());
    /** Container ids that are safe as file names; every runtime's ids fit. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}");
    /** How long a prepared bundle may wait for its createRuntime before its runtime state decides. */
    static final Duration PREPARED_GRACE = Duration.ofSeconds(60);

    private final Registry registry;
    private final NamespaceWorkers workers;
    private final List<Feature> features;
    private final String ownMountNs;

    public HookService(Registry registry, NamespaceWorkers workers, List<Feature> features) throws IOException {
        this.registry = registry;
        this.workers = workers;
        this.features = List.copyOf(features);
        this.ownMountNs = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
    }

    public HookResult handle(HookStage stage, OciState state, Peer peer) throws Exception {
        if (state == null) {
            throw new NestletException(ErrorCode.BAD_REQUEST, "hook request has no \"state\"");
        }
        String id = checkId(state.id());
        if (!Annotations.MODE_SYSTEM.equals(state.annotation(Annotations.MODE))) {
            return new HookResult(id, HookResult.IGNORED);
        }
        return switch (stage) {
            case CREATE_RUNTIME -> createRuntime(id, state, peer);
            case CREATE_CONTAINER -> createContainer(id);
            case POSTSTOP -> poststop(id);
            default -> new HookResult(id, HookResult.NONE);
        };
    }

    public static String checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new NestletException(ErrorCode.BAD_REQUEST, "container id " + (id == null ? "is missing" : "'" + id
                    + "' is not a valid id (letters, digits, '_', '.', '+', '-'; at most 128)"));
        }
        return id;
    }

    private HookResult createRuntime(String id, OciState state, Peer peer) throws Exception {
        if (state.pid() == null || state.pid() <= 0) {
            throw new NestletException(ErrorCode.BAD_REQUEST, "createRuntime state of " + id + " has no pid");
        }
        int pid = state.pid();
        BundleConfig config = Bundles.open(state.bundle());
        Path rootfs = Bundles.rootfsOf(config);
        synchronized (registry.lockFor(id)) {
            ContainerRecord base = ContainerRecord.fromHook(id, config.bundle().toString(), rootfs.toString(),
                    Instant.now().toString());
            Optional<LiveContainer> existing = registry.get(id);
            if (existing.isPresent()) {
                LiveContainer old = existing.get();
                if (old.record().stage() == Stage.PREPARED) {
                    base = old.record(); // nestlet-runtime prepared it: keep its range and shifted rootfs
                } else if (old.initAlive()) {
                    if (old.record().pid() == pid) {
                        return new HookResult(id, HookResult.REGISTERED);
                    }
                    throw new NestletException(ErrorCode.CONFLICT,
                            "container " + id + " is already registered with live pid " + old.record().pid());
                } else {
                    release(old);
                }
            }
            Fd pidfd = openPidfd(pid);
            try {
                return register(base, pid, pidfd, state, config, rootfs, peer);
            } catch (Exception e) {
                pidfd.close(); // idempotent; a failed registration keeps no pidfd
                throw e;
            }
        }
    }

    private HookResult register(ContainerRecord base, int pid, Fd pidfd, OciState state, BundleConfig config,
            Path rootfs, Peer peer) throws Exception {
        long t0 = System.nanoTime();
        String id = base.id();
        ProcStat stat = ProcStat.of(pid).orElseThrow(() -> noSuchProcess(pid));
        verifyContainerInit(id, pid, rootfs);
        long rootUid = IdMapping.toHost(IdMapping.read(pid, "uid_map"), 0);
        long rootGid = IdMapping.toHost(IdMapping.read(pid, "gid_map"), 0);
        if (rootUid < 0 || rootGid < 0) {
            throw new NestletException(ErrorCode.BAD_BUNDLE, "container " + id + " has no mapping for its root user");
        }
        ContainerRecord rec = base.withInit(pid, stat.startTime(), runtimeOf(peer), state.annotations(),
                Instant.now().toString(), (int) rootUid, (int) rootGid);
        LiveContainer c = registry.put(rec, pidfd);
        ContainerAccess access = new ContainerAccess(pidfd, workers, config, rootfs);
        StringBuilder timings = new StringBuilder(); // ms per feature, for the log
        try {
            // Written once before and once after: every feature releases by container id,
            // so a crash in between is undone without knowing how far it got.
            for (Feature f : features) {
                ContainerRecord before = rec;
                long f0 = System.nanoTime();
                rec = inFeature(f, () -> f.createRuntime(before, access));
                timings.append(", ").append(f.name()).append(' ').append((System.nanoTime() - f0) / 1_000_000);
            }
            registry.update(c, rec.withStage(Stage.RUNNING));
        } catch (Exception e) {
            try {
                release(c);
            } catch (Exception undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        LOG.info("registered " + id + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms (pid " + pid
                + ", root uid " + rootUid + timings + ")");
        return new HookResult(id, HookResult.REGISTERED);
    }

    private HookResult createContainer(String id) throws Exception {
        synchronized (registry.lockFor(id)) {
            LiveContainer c = registry.get(id).orElseThrow(() -> new NestletException(ErrorCode.NOT_FOUND,
                    "container " + id + " is not registered (did createRuntime run?)"));
            BundleConfig config = Bundles.open(c.record().bundle());
            ContainerAccess access = new ContainerAccess(c.pidfd(), workers, config, Path.of(c.record().rootfs()));
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
                LOG.warning("poststop for " + id + " while its init " + c.get().record().pid()
                        + " still runs: deferred until it exits");
                return new HookResult(id, HookResult.DEFERRED);
            }
            release(c.get());
            return new HookResult(id, HookResult.RELEASED);
        }
    }

    /** After a restart: lets every feature re-attach to a registered container whose init still runs. */
    public void reattach(String id) throws Exception {
        synchronized (registry.lockFor(id)) {
            Optional<LiveContainer> found = registry.get(id);
            if (found.isEmpty() || !found.get().initAlive()) {
                return;
            }
            LiveContainer c = found.get();
            BundleConfig config = Bundles.open(c.record().bundle());
            ContainerAccess access = new ContainerAccess(c.pidfd(), workers, config, Path.of(c.record().rootfs()));
            for (Feature f : features) {
                ContainerRecord rec = inFeature(f, () -> f.reattach(c.record(), access));
                registry.update(c, rec);
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
            release(c.get());
            return true;
        }
    }

    /**
     * A registered container is gone when its init has exited. A prepared one
     * (nestlet-runtime ran, createRuntime did not yet) is gone when its bundle
     * is, or when after a grace period its runtime has no state for it: its
     * create failed or it was deleted before it started.
     */
    public boolean isGone(LiveContainer c) {
        ContainerRecord r = c.record();
        if (r.stage() != Stage.PREPARED) {
            return !c.initAlive();
        }
        if (!Files.isDirectory(Path.of(r.bundle()))) {
            return true;
        }
        if (r.prepared() == null || Instant.parse(r.prepared()).plus(PREPARED_GRACE).isAfter(Instant.now())) {
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

    /** Undoes every feature in reverse order; the record stays (stage stopping) if any of them fails. */
    private void release(LiveContainer c) throws Exception {
        long t0 = System.nanoTime();
        registry.update(c, c.record().withStage(Stage.STOPPING));
        Exception first = null;
        for (int i = features.size() - 1; i >= 0; i--) {
            Feature f = features.get(i);
            try {
                inFeature(f, () -> {
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
        registry.remove(c.record().id());
        LOG.info("released " + c.record().id() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
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

    private static Fd openPidfd(int pid) {
        try {
            return PidCalls.pidfdOpen(pid);
        } catch (SysException e) {
            if (e.is(Errno.ESRCH)) {
                throw noSuchProcess(pid);
            }
            throw e;
        }
    }

    private static NestletException noSuchProcess(int pid) {
        return new NestletException(ErrorCode.NO_SUCH_PROCESS, "process " + pid + " does not exist");
    }

    /**
     * A pid from the state could have been reused by another process. The
     * container's init lives in a mount namespace of its own where the bundle's
     * rootfs is the same directory as on the host; anything else is refused.
     */
    private void verifyContainerInit(String id, int pid, Path rootfs) {
        String ns;
        try {
            ns = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt")).toString();
        } catch (IOException e) {
            throw noSuchProcess(pid);
        }
        if (ns.equals(ownMountNs)) {
            throw new NestletException(ErrorCode.PID_MISMATCH, "process " + pid
                    + " shares nestletd's mount namespace: it is not the init of container " + id);
        }
        Stat host = statOrNull(rootfs);
        if (host == null) {
            throw new NestletException(ErrorCode.BAD_BUNDLE, "rootfs " + rootfs + " does not exist");
        }
        // A walk through /proc/PID/root crosses that process's own mounts: no setns needed.
        Stat inside = statOrNull(Path.of("/proc/" + pid + "/root" + rootfs));
        if (inside == null || inside.dev() != host.dev() || inside.ino() != host.ino()) {
            throw new NestletException(ErrorCode.PID_MISMATCH, "process " + pid + " does not see rootfs " + rootfs
                    + " in its mount namespace: it is not the init of container " + id);
        }
    }

    private static Stat statOrNull(Path path) {
        try (Fd fd = FileCalls.open(path.toString(), FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0)) {
            return FileCalls.fstat(fd);
        } catch (SysException e) {
            return null;
        }
    }

    /**
     * The runtime that ran the hook: the command name of the hook process's
     * parent (not its exe link: crun runs from a sealed copy of itself).
     */
    private static String runtimeOf(Peer peer) {
        try {
            int ppid = ProcStat.of(peer.pid()).map(ProcStat::ppid).orElse(-1);
            return Files.readString(Path.of("/proc/" + ppid + "/comm")).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
