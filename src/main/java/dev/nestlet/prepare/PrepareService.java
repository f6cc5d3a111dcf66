package dev.nestlet.prepare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.datadir.InnerDataDirs;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.fault.CrashPoint;
import dev.nestlet.idmap.IdAllocator;
import dev.nestlet.idmap.IdRange;
import dev.nestlet.json.Json;
import dev.nestlet.lifecycle.ConfigBind;
import dev.nestlet.lifecycle.ConfigMounts;
import dev.nestlet.lifecycle.HookService;
import dev.nestlet.lsm.Selinux;
import dev.nestlet.metrics.NestletMetrics;
import dev.nestlet.ns.NetworkNamespaces;
import dev.nestlet.oci.Annotations;
import dev.nestlet.oci.BundleConfig;
import dev.nestlet.oci.Bundles;
import dev.nestlet.pod.PodRef;
import dev.nestlet.pod.PodSpec;
import dev.nestlet.pod.Pods;
import dev.nestlet.seccomp.SeccompProfiles;
import dev.nestlet.shift.RootfsShifter;
import dev.nestlet.state.ContainerIds;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.LiveContainer;
import dev.nestlet.state.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * prepare: turns the bundle an engine wrote into a system container's, in place, before the runtime
 * reads it. The container gets an exclusive id range (or keeps the engine's own mapping), its
 * rootfs and volumes shifted by ID-mapped mounts, its inner data dirs and the virtual files the
 * runtime can bind ({@link ConfigMounts}) as bind mounts, its own cgroup namespace, the full
 * capability set inside its user namespace, and nestlet-hook at createRuntime and poststop. Every
 * step is recorded before it takes effect; on any failure everything is undone and config.json is
 * left as it was.
 */
public final class PrepareService {
    private static final Logger LOG = Logger.getLogger(PrepareService.class.getName());
    private static final ObjectMapper JSON = Json.mapper();

    private final Registry registry;
    private final HookService hooks;
    private final IdAllocator allocator;
    private final RootfsShifter shifter;
    private final InnerDataDirs dataDirs;
    private final ConfigMounts configMounts;
    private final Path hook;
    private final Path socket;
    private final Path seccompListener;
    private final Pods pods;
    private final TunNode tun;
    private final Selinux selinux = Selinux.host();

    public PrepareService(
            Registry registry,
            HookService hooks,
            IdAllocator allocator,
            RootfsShifter shifter,
            InnerDataDirs dataDirs,
            ConfigMounts configMounts,
            Path hook,
            Path socket,
            Path seccompListener,
            TunNode tun) {
        this.registry = registry;
        this.hooks = hooks;
        this.allocator = allocator;
        this.shifter = shifter;
        this.dataDirs = dataDirs;
        this.configMounts = configMounts;
        this.hook = hook;
        this.socket = socket;
        this.seccompListener = seccompListener;
        this.pods = new Pods(registry);
        this.tun = tun;
    }

    public PrepareResult prepare(String id, String bundle, String runtime, String runtimeRoot)
            throws Exception {
        ContainerIds.check(id);
        BundleConfig config = Bundles.open(bundle);
        ObjectNode cfg = config.json();
        if (Annotations.MODE_OFF.equals(SpecEditor.annotation(cfg, Annotations.MODE))) {
            return new PrepareResult(id, PrepareResult.UNTOUCHED, null, false, null);
        }
        Path rootfs = Bundles.rootfsOf(config);
        SpecEditor.checkShape(cfg);
        long t0 = System.nanoTime();
        synchronized (registry.lockFor(id)) {
            Optional<LiveContainer> existing = registry.get(id);
            if ("true".equals(SpecEditor.annotation(cfg, SpecEditor.PREPARED))) {
                ContainerRecord r =
                        existing.map(LiveContainer::record)
                                .orElseThrow(
                                        () ->
                                                new NestletException(
                                                        ErrorCode.CONFLICT,
                                                        "bundle "
                                                                + bundle
                                                                + " was prepared by nestlet, but"
                                                                + " nestletd no longer knows"
                                                                + " container "
                                                                + id
                                                                + ": write the bundle again"));
                return result(r);
            }
            if (existing.isPresent()) {
                if (existing.get().initAlive()) {
                    throw new NestletException(
                            ErrorCode.CONFLICT, "container " + id + " is already running");
                }
                hooks.release(id);
            }
            ContainerRecord rec =
                    ContainerRecord.prepared(
                            id,
                            config.bundle().toString(),
                            rootfs.toString(),
                            runtime,
                            runtimeRoot,
                            Instant.now().toString());
            LiveContainer c = registry.put(rec, null);
            CrashPoint.PREPARE_RECORDED.reached();
            try {
                rec = edit(c, rec, cfg, rootfs);
                long w = System.nanoTime();
                write(config.bundle(), cfg);
                step("write", w);
                CrashPoint.PREPARE_WRITTEN.reached();
            } catch (Exception e) {
                try {
                    hooks.release(id);
                } catch (Exception undo) {
                    e.addSuppressed(undo);
                }
                throw e;
            }
            LOG.info(
                    "prepared "
                            + id
                            + " in "
                            + (System.nanoTime() - t0) / 1_000_000
                            + " ms: ids "
                            + rec.idRange()
                            + (rec.idRangeAdopted() ? " (engine's)" : "")
                            + ", rootfs "
                            + (rec.shift() == null ? "as given" : rec.shift().method()));
            return result(rec);
        }
    }

    private ContainerRecord edit(LiveContainer c, ContainerRecord rec, ObjectNode cfg, Path rootfs)
            throws Exception {
        Optional<IdRange> engines = SpecEditor.existingMapping(cfg);
        // A Kubernetes pod is one system: its sandbox holds the range, its containers join it.
        Optional<PodRef> pod = PodRef.of(PodSpec.annotations(cfg), rec.id());
        String id = rec.id();
        Pods.Sandbox sandbox =
                pod.filter(p -> !p.sandbox()).map(p -> pods.sandboxOf(id, p)).orElse(null);
        // Read before the shift replaces bind sources: the pod's range is held until it is gone.
        String removedWith =
                pod.filter(PodRef::sandbox).map(p -> PodSpec.sandboxDir(cfg, id)).orElse(null);
        if (removedWith != null) {
            cfg.withObjectProperty("annotations").put(PodSpec.REMOVED_WITH, removedWith);
        }
        if (engines.isPresent() && sandbox == null) {
            String root = PodSpec.mapsHostRoot(SpecEditor.allMappings(cfg));
            if (root != null) {
                throw new NestletException(
                        ErrorCode.CONFLICT, "container " + rec.id() + ": " + root);
            }
        }
        long t = System.nanoTime();
        IdRange range =
                sandbox != null
                        ? sandbox.range()
                        : engines.isPresent()
                                ? allocator.adopt(
                                        rec.id(), engines.get(), SpecEditor.allMappings(cfg))
                                : allocator.allocate(rec.id());
        boolean adopted = sandbox != null ? sandbox.rangeAdopted() : engines.isPresent();
        // The record is written at the start and at the end only: what happens in
        // between is found again by container id (journal, mounts and data dirs).
        rec = rec.withIdRange(range, adopted).withAnnotations(PodSpec.annotations(cfg));
        t = step("ids", t);
        CrashPoint.PREPARE_IDS.reached();
        if (!adopted) {
            // The engine's own mapping comes with the engine's own answer to file ownership.
            RootfsShifter.Shifted s =
                    shifter.shift(rec.id(), rootfs, range, SpecEditor.hostBinds(cfg));
            rec = rec.withShift(s.result());
            SpecEditor.setUserNamespace(cfg, range);
            SpecEditor.fitSysctlsToRange(cfg, range.size());
            SpecEditor.setRoot(cfg, Path.of(s.result().root()));
            SpecEditor.setHostBindSources(cfg, s.volumeSources());
            t = step("shift", t);
            CrashPoint.PREPARE_SHIFTED.reached();
        }
        boolean podNetwork = false;
        if (sandbox != null) {
            PodSpec.joinNamespace(cfg, "user", sandbox.namespace("user"));
            if (sandbox.ownNetwork()) {
                PodSpec.joinNamespace(cfg, "network", sandbox.namespace("net"));
                podNetwork = true;
            }
        } else if (pod.isPresent() && !adopted) {
            podNetwork = Pods.ownNetwork(cfg);
            rec = rec.withAnnotations(PodSpec.annotations(cfg));
        }
        List<Path> dirs =
                dataDirs.createHostDirs(
                        rec.id(),
                        (int) range.uidBase(),
                        (int) range.gidBase(),
                        InnerDataDirs.PREPARED_TARGETS);
        rec =
                rec.withDataDir(
                        dataDirs.hostDirOf(rec.id()).toString(), InnerDataDirs.PREPARED_TARGETS);
        for (int i = 0; i < dirs.size(); i++) {
            SpecEditor.addBind(cfg, InnerDataDirs.PREPARED_TARGETS.get(i), dirs.get(i));
        }
        t = step("datadirs", t);
        CrashPoint.PREPARE_DATADIRS.reached();
        SpecEditor.addCgroupNamespace(cfg);
        SpecEditor.fullCapabilities(cfg);
        SpecEditor.writableCgroupMount(cfg);
        SpecEditor.writableProcSys(cfg);
        if (!adopted && !podNetwork) {
            SpecEditor.bindSysWhenNetnsIsJoined(cfg);
        }
        if (SpecEditor.ownsItsNetwork(cfg, NetworkNamespaces::ownedBy)) {
            SpecEditor.writableSys(cfg);
        }
        tun.node().ifPresent(node -> SpecEditor.addTunDevice(cfg, node));
        // After every edit of the mounts: whether a target will be there depends on them. The
        // host's
        // file stands for the container's: one kernel serves both.
        List<ConfigBind> binds =
                configMounts.configBinds(
                        rec.id(),
                        path ->
                                SpecEditor.mountsKernelFsOf(cfg, path)
                                        && Files.isRegularFile(Path.of(path)));
        binds.forEach(b -> SpecEditor.addBind(cfg, b));
        rec = rec.withMoreMounts(binds.stream().map(ConfigBind::destination).toList());
        logReplaced(
                rec,
                "AppArmor profile",
                SpecEditor.systemAppArmorProfile(cfg),
                () -> SpecEditor.APPARMOR_PROFILE);
        logReplaced(
                rec,
                "SELinux label",
                SpecEditor.systemSelinuxLabel(cfg, selinux::accepts),
                () -> cfg.at("/process/selinuxLabel").asText());
        SpecEditor.addHooks(cfg, hook, socket, List.of("createRuntime", "poststop"));
        // The engine's seccomp profile, relaxed for an engine inside, with mounts sent to
        // nestletd's agent.
        cfg.setAll(SeccompProfiles.forSystemContainer(cfg, seccompListener));
        SpecEditor.markSystem(cfg);
        registry.update(c, rec);
        step("config", t);
        CrashPoint.PREPARE_CONFIG.reached();
        return rec;
    }

    /** Records how long step {@code name}, begun at {@code since}, took; returns now. */
    private static long step(String name, long since) {
        long now = System.nanoTime();
        NestletMetrics.PREPARE_STEPS.labelValues(name).observe((now - since) / 1e9);
        return now;
    }

    /**
     * Replaces config.json atomically, keeping its mode: the runtime reads either the old or the
     * new. Written beneath the bundle dir's fd, following no symlink ({@link BundleConfigWriter}).
     */
    private static void write(Path bundle, ObjectNode cfg) throws IOException {
        BundleConfigWriter.replace(bundle, JSON.writeValueAsBytes(cfg));
    }

    private static PrepareResult result(ContainerRecord r) {
        return new PrepareResult(
                r.id(),
                PrepareResult.PREPARED,
                r.idRange(),
                r.idRangeAdopted(),
                r.shift() == null ? null : r.shift().method());
    }

    /**
     * Logs that the system container's {@code what} replaced the engine's ({@code enginesOwn}, null
     * when nothing was replaced).
     */
    private static void logReplaced(
            ContainerRecord rec,
            String what,
            String enginesOwn,
            java.util.function.Supplier<String> nestlets) {
        if (enginesOwn != null) {
            LOG.info(rec.id() + ": " + what + " " + nestlets.get() + " instead of " + enginesOwn);
        }
    }
}
