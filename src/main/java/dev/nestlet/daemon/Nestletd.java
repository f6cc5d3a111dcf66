package dev.nestlet.daemon;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.nestlet.api.ApiServer;
import dev.nestlet.api.Dispatcher;
import dev.nestlet.api.PeerPolicy;
import dev.nestlet.api.Protocol;
import dev.nestlet.datadir.InnerDataDirs;
import dev.nestlet.lifecycle.Feature;
import dev.nestlet.lifecycle.HookOperation;
import dev.nestlet.lifecycle.HookService;
import dev.nestlet.lifecycle.Reconciler;
import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.seccomp.KnownContainer;
import dev.nestlet.seccomp.SeccompAgent;
import dev.nestlet.state.InspectOperation;
import dev.nestlet.state.PsOperation;
import dev.nestlet.state.Registry;
import dev.nestlet.state.StateStore;
import dev.nestlet.sys.FileCalls;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** nestletd: the node daemon. Wires the parts together and serves until SIGTERM. */
@Command(name = "nestletd", mixinStandardHelpOptions = true, versionProvider = Nestletd.VersionProvider.class,
        description = "nestlet node daemon: system containers for unprivileged Docker-in-Docker.")
public final class Nestletd implements java.util.concurrent.Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(Nestletd.class.getName());

    @Option(names = "--socket", description = "API socket (default: ${DEFAULT-VALUE})")
    Path socket = Path.of(Protocol.DEFAULT_SOCKET);

    @Option(names = "--state-dir", description = "state and inner data dirs (default: ${DEFAULT-VALUE})")
    Path stateDir = Path.of("/var/lib/nestlet");

    @Option(names = "--group", description = "gid whose members may use the socket besides root")
    Integer group;

    @Option(names = "--keep-data-dirs", description = "keep inner data dirs on disk when a container is removed")
    boolean keepDataDirs;

    @Option(names = "--max-request-bytes", description = "longest request line (default: ${DEFAULT-VALUE})")
    int maxRequestBytes = Protocol.DEFAULT_MAX_REQUEST_BYTES;

    @Option(names = "--request-timeout", description = "seconds a request may take (default: ${DEFAULT-VALUE})")
    long requestTimeoutSeconds = 20;

    @Option(names = "--workers", description = "namespace worker threads (default: ${DEFAULT-VALUE})")
    int workers = 4;

    @Option(names = "--reconcile-interval", description = "seconds between reconcile sweeps (default: ${DEFAULT-VALUE})")
    long reconcileSeconds = 5;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Nestletd()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        DaemonConfig config = new DaemonConfig(socket.toAbsolutePath(), stateDir.toAbsolutePath(),
                group == null ? OptionalInt.empty() : OptionalInt.of(group), keepDataDirs, maxRequestBytes,
                requestTimeoutSeconds * 1000, workers, reconcileSeconds * 1000);
        run(config);
        return 0;
    }

    static void run(DaemonConfig config) throws Exception {
        FileCalls.umask(0077);
        Files.createDirectories(config.stateDir());
        ObjectMapper json = new ObjectMapper();
        Registry registry = new Registry(new StateStore(config.stateDir(), json));
        NamespaceWorkers ns = new NamespaceWorkers(config.workers(), config.requestTimeoutMs());
        List<Feature> features = List.of(new InnerDataDirs(config.stateDir(), config.keepDataDirs()));
        HookService hooks = new HookService(registry, ns, features);
        Reconciler reconciler = new Reconciler(registry, hooks, features);
        reconciler.recover();
        SeccompAgent seccomp = new SeccompAgent(config.stateDir(), ns,
                id -> registry.get(id).map(c -> new KnownContainer(c.record().pid(), c.record().mounts())).orElse(null),
                2);

        PeerPolicy policy = new PeerPolicy(config.group());
        Dispatcher dispatcher = new Dispatcher(json)
                .register(new HookOperation(hooks))
                .register(new PsOperation(registry))
                .register(new InspectOperation(registry))
                .register(new StatusOperation(config, registry, policy.describe()))
                .register(new VersionOperation());
        ThreadPoolExecutor executor = new ThreadPoolExecutor(8, 32, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1024), r -> {
                    Thread t = new Thread(r, "request");
                    t.setDaemon(true);
                    return t;
                });
        ApiServer server = new ApiServer(config.socket(), dispatcher, policy, executor,
                new ApiServer.Limits(config.maxRequestBytes(), config.requestTimeoutMs(),
                        config.requestTimeoutMs() * 3));
        server.start();
        restrictSocket(config);
        reconciler.start(config.reconcileMs());

        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping; containers keep running");
            reconciler.close();
            seccomp.close();
            server.close();
            executor.shutdownNow();
            ns.close();
            stop.countDown();
        }, "shutdown"));
        LOG.info("nestletd " + Version.VALUE + " ready on " + config.socket() + " (" + policy.describe() + ")");
        SystemdNotify.ready();
        stop.await();
    }

    /** Socket mode 0600, or 0660 owned by the configured group. */
    private static void restrictSocket(DaemonConfig config) throws java.io.IOException {
        if (config.group().isPresent()) {
            Files.setAttribute(config.socket(), "unix:gid", config.group().getAsInt());
            Files.setPosixFilePermissions(config.socket(), PosixFilePermissions.fromString("rw-rw----"));
        } else {
            Files.setPosixFilePermissions(config.socket(), PosixFilePermissions.fromString("rw-------"));
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"nestletd " + Version.VALUE};
        }
    }
}
