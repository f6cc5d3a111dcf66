package dev.nestlet.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.api.ApiServer;
import dev.nestlet.api.Dispatcher;
import dev.nestlet.api.PeerPolicy;
import dev.nestlet.api.Version;
import dev.nestlet.cgroup.Cgroup;
import dev.nestlet.cgroup.CgroupDelegation;
import dev.nestlet.cgroup.CgroupLocator;
import dev.nestlet.datadir.InnerDataDirs;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.fault.CrashPoint;
import dev.nestlet.fdstore.FdStore;
import dev.nestlet.fdstore.FdStores;
import dev.nestlet.host.HostTree;
import dev.nestlet.idmap.IdAllocator;
import dev.nestlet.json.Json;
import dev.nestlet.kernel.KernelFeatures;
import dev.nestlet.kernel.KernelVersion;
import dev.nestlet.lifecycle.Feature;
import dev.nestlet.lifecycle.HookService;
import dev.nestlet.lifecycle.InitProcesses;
import dev.nestlet.lifecycle.Reconciler;
import dev.nestlet.lifecycle.RecordPreload;
import dev.nestlet.metrics.ListenAddress;
import dev.nestlet.metrics.MetricsEndpoint;
import dev.nestlet.metrics.NestletMetrics;
import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.ops.AllocationsOperation;
import dev.nestlet.ops.ExecOperation;
import dev.nestlet.ops.HandOverOperation;
import dev.nestlet.ops.HookOperation;
import dev.nestlet.ops.InspectOperation;
import dev.nestlet.ops.MetricsOperation;
import dev.nestlet.ops.PrepareOperation;
import dev.nestlet.ops.PsOperation;
import dev.nestlet.ops.StatusOperation;
import dev.nestlet.ops.VersionOperation;
import dev.nestlet.pod.PodNetwork;
import dev.nestlet.pod.PodRef;
import dev.nestlet.pod.StoppedPods;
import dev.nestlet.prepare.PrepareService;
import dev.nestlet.prepare.PreparedResources;
import dev.nestlet.prepare.TunNode;
import dev.nestlet.seccomp.KnownContainer;
import dev.nestlet.seccomp.LostListeners;
import dev.nestlet.seccomp.ProcContexts;
import dev.nestlet.seccomp.SeccompAgent;
import dev.nestlet.shift.RootfsShifter;
import dev.nestlet.shift.UserNamespaces;
import dev.nestlet.state.LiveContainer;
import dev.nestlet.state.Registry;
import dev.nestlet.state.StateStore;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.vfs.SnapshotLimits;
import dev.nestlet.vfs.Sysctls;
import dev.nestlet.vfs.VfsLimits;
import dev.nestlet.vfs.VirtualFiles;
import dev.nestlet.vfs.fuse.FuseServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/** nestletd: the node daemon. Wires the parts together and serves until SIGTERM. */
public final class Nestletd {
    private static final Logger LOG = Logger.getLogger(Nestletd.class.getName());

    private Nestletd() {}

    public static void main(String[] args) {
        StartClock clock = StartClock.ofThisProcess();
        clock.mark("main");
        // jnr-ffi generates the native binding's classes at its first use (about a quarter of
        // start-up, and no archive can hold them): done meanwhile, while the options are parsed.
        // nestletd sets this umask first thing anyway.
        Thread binding = new Thread(() -> FileCalls.umask(0077), "native-binding");
        binding.setDaemon(true);
        binding.start();
        DaemonOptions o;
        try {
            o = DaemonOptions.parse(withConfigFile(args));
        } catch (OptionException e) {
            System.err.println("nestletd: " + e.getMessage());
            System.err.println("Try 'nestletd --help' for more information.");
            System.exit(2);
            return;
        }
        if (o.help()) {
            System.out.print(DaemonOptions.usage());
            return;
        }
        if (o.version()) {
            System.out.println("nestletd " + Version.VALUE);
            return;
        }
        if (o.flag("take-over") && o.flag("standby")) {
            System.err.println(
                    "nestletd: --take-over and --standby exclude each other: --take-over asks the"
                            + " serving nestletd to hand over now, --standby waits until it exits");
            System.exit(2);
            return;
        }
        try {
            run(
                    config(o),
                    o.text("fd-store"),
                    o.flag("group-may-mutate"),
                    o.flag("take-over")
                            ? Start.TAKE_OVER
                            : o.flag("standby") ? Start.STANDBY : Start.PLAIN,
                    clock);
        } catch (ServingElsewhere e) {
            System.err.println("nestletd: " + e.getMessage());
            System.exit(1);
        } catch (Exception | Error e) {
            // Non-daemon threads (netty, the FUSE server) must not keep a failed daemon alive.
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** The daemon's settings from its options. */
    static DaemonConfig config(DaemonOptions o) {
        return new DaemonConfig(
                o.path("socket").toAbsolutePath(),
                o.path("state-dir").toAbsolutePath(),
                o.optionalInteger("group"),
                o.flag("keep-data-dirs"),
                o.integer("max-request-bytes"),
                o.number("request-timeout") * 1000,
                o.integer("workers"),
                o.number("reconcile-interval") * 1000,
                home(),
                new DaemonConfig.IdPoolSpec(
                        o.text("id-pool"),
                        o.path("subuid"),
                        o.path("subgid"),
                        o.text("subid-user"),
                        o.number("range-size")),
                o.text("shift").equals("copy"),
                vfsLimits(o),
                o.integer("seccomp-queue"),
                o.sysctlRaises(),
                Optional.ofNullable(o.text("kernel-compat")).map(KernelVersion::parse),
                metricsListen(o.text("metrics-listen")));
    }

    /** The FUSE threads and the caps on what one container, and all, may hold of them. */
    private static VfsLimits vfsLimits(DaemonOptions o) {
        int threads = o.integer("vfs-threads");
        String bytes = o.text("vfs-snapshot-bytes");
        return new VfsLimits(
                threads,
                o.optionalInteger("vfs-inflight").orElse(VfsLimits.defaultInFlight(threads)),
                o.integer("container-cpu-budget"),
                new SnapshotLimits(
                        o.integer("vfs-max-open"),
                        bytes == null ? SnapshotLimits.defaultBytes() : Long.parseLong(bytes)));
    }

    /** The endpoint's address; none when the option is unset or empty (how one turns it off). */
    private static ListenAddress metricsListen(String value) {
        return value == null || value.isEmpty() ? null : ListenAddress.parse(value);
    }

    /**
     * The settings of {@code --config FILE} (when given) before {@code args}, so that the command
     * line wins; a file with errors stops nestletd before anything starts.
     */
    private static List<String> withConfigFile(String[] args) throws OptionException {
        Path config = DaemonOptions.parse(List.of(args)).path("config");
        if (config == null) {
            return List.of(args);
        }
        ConfigFile.Parsed file = ConfigFile.read(config);
        if (!file.errors().isEmpty()) {
            file.errors().forEach(e -> System.err.println("nestletd: " + e));
            System.exit(2);
        }
        List<String> all = new ArrayList<>(file.args());
        all.addAll(List.of(args));
        return all;
    }

    static void run(
            DaemonConfig config,
            String fdStoreMode,
            boolean groupMayMutate,
            Start start,
            StartClock clock)
            throws Exception {
        clock.mark("options");
        // Both start up beside a serving nestletd and switch only once warm.
        boolean nextToOne = start != Start.PLAIN;
        boolean takeOver = start == Start.TAKE_OVER;
        if (CrashPoint.armed() != null) {
            LOG.warning(
                    "fault injection: crash point "
                            + CrashPoint.armed()
                            + " armed ("
                            + CrashPoint.PROPERTY
                            + "), for tests only");
        }
        FileCalls.umask(0077);
        HostTree.traversableDir(config.stateDir());
        // First, so that a second plain nestletd stops before it has mounted or kept anything.
        ServingLock lock = ServingLock.open(config.stateDir());
        if (!nextToOne && !lock.tryTake()) {
            throw new ServingElsewhere(
                    "nestletd "
                            + lock.holder()
                            + " serves state dir "
                            + config.stateDir()
                            + " (it holds "
                            + config.stateDir().resolve(ServingLock.FILE)
                            + "); stop it first, or start this one with --take-over (it hands over"
                            + " now) or --standby (this one serves once it exits)");
        }
        // Next, so that a port in use stops nestletd before it has mounted or kept anything;
        // when starting beside one, once it serves: the one serving holds the port until then.
        MetricsEndpoint early = nextToOne ? null : metricsEndpoint(config);
        SystemdNotify notify = SystemdNotify.ofThisProcess();
        notify.status("starting");
        ObjectMapper json = Json.mapper();
        StateStore stateStore = new StateStore(config.stateDir(), json);
        // Beside the start-up below: the records, their inits' pidfds and bundles read ahead (see
        // RecordPreload); when taking over, before the switch.
        FutureTask<RecordPreload> preload = new FutureTask<>(() -> RecordPreload.read(stateStore));
        Thread preloading = new Thread(preload, "preload");
        preloading.setDaemon(true);
        preloading.start();
        FdStore store =
                FdStores.open(
                        fdStoreMode,
                        config.stateDir(),
                        config.home().resolve("bin/nestlet-keeper"),
                        System.getenv(),
                        (int) ProcessHandle.current().pid());
        clock.mark("fd store");
        UserNamespaces userns = new UserNamespaces(config.home().resolve("bin/nestlet-userns"));
        KernelFeatures kernel =
                KernelFeatures.start(config.stateDir(), userns::forProbes, config.kernelCompat());
        kernel.whenProbed(() -> LOG.info("kernel: " + kernel.summary()))
                .exceptionally(
                        e -> {
                            LOG.severe("kernel probes failed: " + e);
                            return null;
                        });
        Optional<String> missing = kernel.missingRequirement();
        if (missing.isPresent()) {
            throw new IllegalStateException(missing.get());
        }
        clock.mark("kernel features");
        PeerPolicy policy = new PeerPolicy(config.group(), groupMayMutate);
        // Its operations are registered once recovered; requests wait until the server opens.
        Dispatcher dispatcher = new Dispatcher(json).mutatingAllowed(policy::mayMutate);
        ThreadPoolExecutor executor =
                new ThreadPoolExecutor(
                        8,
                        32,
                        30,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(1024),
                        r -> {
                            Thread t = new Thread(r, "request");
                            t.setDaemon(true);
                            return t;
                        });
        // Threads come with requests and go after 30 idle seconds: an idle node keeps none.
        executor.allowCoreThreadTimeOut(true);
        ApiServer server =
                new ApiServer(
                        config.socket(),
                        dispatcher,
                        policy,
                        executor,
                        new ApiServer.Limits(
                                config.maxRequestBytes(),
                                config.requestTimeoutMs(),
                                config.requestTimeoutMs() * 3));
        // Read nothing another nestletd writes: made before a hand-over, out of its gap.
        NamespaceWorkers ns = new NamespaceWorkers(config.workers(), config.requestTimeoutMs());
        RootfsShifter shifter =
                new RootfsShifter(config.stateDir(), userns, config.shiftByCopy(), kernel);
        InnerDataDirs dataDirs = new InnerDataDirs(config.stateDir(), config.keepDataDirs());
        StoppedPods stoppedPods = new StoppedPods(config.stateDir());
        long handedOverBy = 0;
        RecordPreload ahead = RecordPreload.none();
        if (nextToOne) {
            if (!store.sharedWhileRunning()) {
                throw new IllegalStateException(
                        "--"
                                + start.option
                                + " needs a store both nestletds can read (--fd-store keeper), not "
                                + store.describe());
            }
            TakeOver.warmUp(config.stateDir());
            clock.mark("warm-up");
            // The socket is bound beside the path, holding its requests: the old nestletd renames
            // it over the path, so a hook or nestletctl connecting during the switch waits for
            // this one instead of failing.
            Path beside = server.bindBeside();
            try {
                restrictSocket(config, beside);
                ahead = preload.get();
                clock.mark("records read ahead (" + ahead.size() + ")");
                // Everything slow is done (the JVM, classes, options, the native binding): only
                // now does the old nestletd stop serving, and the gap lasts until this one
                // serves.
                if (takeOver) {
                    clock.mark("asking");
                    HandOverOperation.Result from = TakeOver.ask(config.socket(), beside, json);
                    handedOverBy = from.pid();
                    lock = lockAfterHandOver(config, lock, from);
                } else {
                    awaitServingLock(config, lock, notify, server, clock);
                }
            } catch (Exception e) {
                server.close();
                throw e;
            }
            if (handedOverBy > 0) {
                LOG.info("nestletd " + handedOverBy + " handed over");
                notify.mainPid();
            }
            server.claimPath();
            clock.mark(takeOver ? "handed over" : "socket claimed");
        }
        MetricsEndpoint endpoint = nextToOne ? metricsEndpoint(config) : early;
        Map<String, Fd> kept = new HashMap<>(store.takeAll());
        Registry registry = new Registry(stateStore);
        IdAllocator allocator = IdPools.allocator(config);
        // The FUSE mount lives under the state dir; a dead one left by a killed nestletd is
        // replaced.
        // With a kept connection nothing is mounted again; its readers wait until resume() below.
        VirtualFiles vfs =
                VirtualFiles.start(
                        config.stateDir().resolve("vfs"),
                        config.vfs(),
                        Sysctls.onHost(config.stateDir(), config.sysctlRaises()),
                        store,
                        kept);
        kept.keySet().removeIf(name -> name.startsWith(FuseServer.STORE_PREFIX));
        clock.mark("virtual files");
        List<Feature> features =
                List.of(
                        new PreparedResources(allocator, shifter, stoppedPods),
                        new PodNetwork(config.stateDir()),
                        new CgroupDelegation(),
                        dataDirs,
                        vfs);
        HookService hooks = new HookService(registry, ns, features, new InitProcesses());
        SeccompAgent seccomp =
                new SeccompAgent(
                        config.stateDir(),
                        ns,
                        id ->
                                registry.get(id)
                                        .map(
                                                c ->
                                                        new KnownContainer(
                                                                c.record().pid(),
                                                                c.record().mounts()))
                                        .orElse(null),
                        2,
                        config.seccompQueue(),
                        store,
                        new ProcContexts(kernel, config.home().resolve("bin/nestlet-procfs")));
        PrepareService prepare =
                new PrepareService(
                        registry,
                        hooks,
                        allocator,
                        shifter,
                        dataDirs,
                        vfs,
                        config.home().resolve("bin/nestlet-hook"),
                        config.socket(),
                        seccomp.listenerPath(),
                        new TunNode(config.stateDir()));
        Reconciler reconciler = new Reconciler(registry, hooks, features);
        clock.mark("seccomp agent");
        // Recovery finishes before the socket serves: a hook for a recovered container must find
        // its record and features as they were.
        notify.status("recovering " + registry.store().count() + " containers");
        if (!nextToOne) {
            ahead = preload.get();
            clock.mark("records read ahead (" + ahead.size() + ")");
        }
        reconciler.recover(ahead);
        clock.mark("records re-attached");
        vfs.resume();
        clock.mark("FUSE resumed");
        CgroupLocator hostCgroups = CgroupLocator.ofHost();
        seccomp.adopt(
                kept,
                id ->
                        registry.get(id)
                                .filter(LiveContainer::initAlive)
                                .map(c -> c.record().pid())
                                .orElse(0),
                initPid -> {
                    try (Cgroup cgroup = hostCgroups.forProcess(initPid)) {
                        return cgroup.threads();
                    }
                },
                handedOverBy > 0);
        kept.forEach(
                (name, fd) -> {
                    if (!name.startsWith(SeccompAgent.STORE_PREFIX)) {
                        LOG.warning("dropping a kept fd nestletd does not know: " + name);
                        fd.close();
                        store.remove(name);
                    }
                });
        LostListeners lostListeners = new LostListeners(registry, seccomp, Clock.systemUTC());
        List<String> lost = lostListeners.ids();
        if (!lost.isEmpty()) {
            LOG.warning(
                    "seccomp: no listener fd is kept for running container(s) "
                            + String.join(", ", lost)
                            + ": their mount, umount2, move_mount and setns fail with ENOSYS"
                            + " until they restart (nestlet status lists them)");
        }

        clock.mark("recovery");
        AtomicBoolean firstAnswered = new AtomicBoolean();
        // Filled in once serving; the hand-over stops what it holds.
        AtomicReference<Serving> serving = new AtomicReference<>();
        dispatcher
                .register(new FirstAnswer<>(new HookOperation(hooks), clock, firstAnswered))
                .register(new FirstAnswer<>(new PrepareOperation(prepare), clock, firstAnswered))
                .register(new ExecOperation(registry))
                .register(new AllocationsOperation(allocator, stoppedPods))
                .register(new PsOperation(registry))
                .register(new InspectOperation(registry, lostListeners))
                .register(
                        new StatusOperation(
                                config.socket(),
                                config.stateDir(),
                                registry,
                                policy.describe(),
                                kernel,
                                lostListeners::ids))
                .register(new VersionOperation())
                .register(new MetricsOperation())
                .register(
                        new HandOverOperation(
                                beside -> {
                                    Serving now = serving.get();
                                    if (now == null) {
                                        throw new NestletException(
                                                ErrorCode.BUSY,
                                                "nestletd is still starting; retry");
                                    }
                                    return now.handOver(config.socket(), beside);
                                }));
        NestletMetrics.gauge("nestlet_containers", "containers nestletd knows", registry::size);
        NestletMetrics.gauge(
                "nestlet_pods",
                "Kubernetes pods among them (their sandboxes)",
                () ->
                        registry.all().stream()
                                .map(LiveContainer::record)
                                .filter(
                                        r ->
                                                PodRef.of(r.annotations(), r.id())
                                                        .filter(PodRef::sandbox)
                                                        .isPresent())
                                .count());
        NestletMetrics.gauge(
                "nestlet_id_ranges_in_use",
                "id ranges held by containers",
                () -> allocator.inUse().size());
        NestletMetrics.gauge(
                "nestlet_id_ranges_free",
                "id ranges of the pool nobody holds",
                () -> allocator.free().size());
        NestletMetrics.gauge(
                "nestlet_seccomp_listeners",
                "seccomp listener fds being served",
                seccomp::sessions);
        NestletMetrics.gauge(
                "nestlet_seccomp_listeners_lost",
                "running containers with nestlet's notify filter but no listener fd served",
                () -> lostListeners.ids().size());
        NestletMetrics.gauge(
                "nestlet_kept_fds",
                "fds the fd store holds for nestletd (" + store.describe() + ")",
                store::held);
        if (nextToOne) {
            server.open();
        } else {
            server.start();
            restrictSocket(config, config.socket());
        }
        clock.mark("serving");
        reconciler.start(config.reconcileMs());
        Warmup.start(dispatcher, json, allocator, userns);
        // A tick starts one interval (half of WatchdogSec) after the last ping: a probe may take
        // three quarters of an interval and its ping still beats systemd's deadline. Right after
        // start-up the warm-up shares the CPU with it.
        SystemdWatchdog watchdog =
                SystemdWatchdog.start(
                        notify,
                        every ->
                                new SocketProbe(
                                        config.socket(), every.multipliedBy(3).dividedBy(4)),
                        registry::size);

        serving.set(
                new Serving(
                        server,
                        executor,
                        reconciler,
                        watchdog,
                        notify,
                        seccomp,
                        vfs,
                        endpoint,
                        store,
                        ns,
                        registry,
                        lock,
                        new AtomicBoolean()));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    serving.get().shutdown();
                                    stop.countDown();
                                },
                                "shutdown"));
        if (handedOverBy > 0) {
            resendOnceGone(handedOverBy, vfs);
        }
        LOG.info(
                "nestletd "
                        + Version.VALUE
                        + " ready on "
                        + config.socket()
                        + " ("
                        + policy.describe()
                        + "); start-up ms after "
                        + clock.origin()
                        + ": "
                        + clock.phases());
        notify.ready(SystemdWatchdog.serving(registry.size()));
        stop.await();
    }

    /**
     * After a hand-over: the serving lock, passed from the old nestletd without a gap (a duplicate
     * of its description); taken anew when it held none, is gone already, or none answered.
     *
     * @throws ServingElsewhere when another nestletd (a standby) took it meanwhile
     */
    private static ServingLock lockAfterHandOver(
            DaemonConfig config, ServingLock own, HandOverOperation.Result from)
            throws ServingElsewhere, java.io.IOException {
        if (from.pid() > 0) {
            Optional<ServingLock> passed =
                    ServingLock.fromHandOver(config.stateDir(), from.pid(), from.lockFd());
            if (passed.isPresent()) {
                own.close();
                return passed.get();
            }
        }
        if (!own.tryTake()) {
            throw new ServingElsewhere(
                    "nestletd "
                            + own.holder()
                            + " took the serving lock of "
                            + config.stateDir()
                            + (from.pid() > 0
                                    ? " after nestletd " + from.pid() + " handed over and exited"
                                    : " and does not answer on " + config.socket()));
        }
        return own;
    }

    /**
     * A standby: warm, its socket bound beside the path, it waits until no nestletd holds the
     * serving lock (at once when none does; else when the serving one exits, however it ends), then
     * takes it. Under systemd it is READY meanwhile and pings the watchdog; a SIGTERM meanwhile
     * removes its socket.
     */
    private static void awaitServingLock(
            DaemonConfig config,
            ServingLock lock,
            SystemdNotify notify,
            ApiServer server,
            StartClock clock)
            throws java.io.IOException {
        if (lock.tryTake()) {
            LOG.info("standby: no nestletd serves " + config.stateDir() + "; serving now");
            return;
        }
        Thread exit = new Thread(server::close, "standby-exit");
        Runtime.getRuntime().addShutdownHook(exit);
        String waiting = "standby: warm, waiting for nestletd " + lock.holder() + " to exit";
        LOG.info(waiting + " (start-up ms after exec: " + clock.phases() + ")");
        notify.ready(waiting);
        SystemdWatchdog watchdog = SystemdWatchdog.standingBy(notify, waiting);
        try {
            lock.await();
        } finally {
            watchdog.close();
        }
        clock.restart("the serving lock");
        Runtime.getRuntime().removeShutdownHook(exit);
        LOG.info("standby: the serving nestletd exited; serving lock taken, taking over");
    }

    private static MetricsEndpoint metricsEndpoint(DaemonConfig config) throws java.io.IOException {
        return config.metricsListen() == null
                ? null
                : MetricsEndpoint.start(config.metricsListen());
    }

    /**
     * FUSE requests the old nestletd's readers took after it handed over are left unanswered (see
     * FuseServer#handOver); once it is gone, the kernel is asked to send them again, here.
     */
    private static void resendOnceGone(long pid, VirtualFiles vfs) {
        Thread t =
                new Thread(
                        () -> {
                            try {
                                TakeOver.awaitExit(pid);
                                vfs.resendUnanswered();
                                LOG.info(
                                        "nestletd "
                                                + pid
                                                + " is gone; its unanswered reads sent again");
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "handed-over-by");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The install tree (bin/, lib/): set by the launcher, else found from this class's jar in lib/.
     */
    private static Path home() {
        String prop = System.getProperty("nestlet.home");
        if (prop != null) {
            return Path.of(prop);
        }
        try {
            Path jar =
                    Path.of(
                            Nestletd.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
            return jar.getParent().getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot find the install tree; set -Dnestlet.home", e);
        }
    }

    /**
     * Socket mode 0600, or 0660 owned by the configured group; then the group must also be able to
     * reach it: a directory of root's that only root may enter (0700, as nestletd creates it) is
     * given to the group for search only (0710). Other directories are left as they are.
     */
    private static void restrictSocket(DaemonConfig config, Path socket)
            throws java.io.IOException {
        if (config.group().isPresent()) {
            Files.setAttribute(socket, "unix:gid", config.group().getAsInt());
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            Path dir = socket.getParent();
            if (((Integer) Files.getAttribute(dir, "unix:uid")) == 0
                    && Files.getPosixFilePermissions(dir)
                            .equals(PosixFilePermissions.fromString("rwx------"))) {
                Files.setAttribute(dir, "unix:gid", config.group().getAsInt());
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x---"));
            }
        } else {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        }
    }
}
