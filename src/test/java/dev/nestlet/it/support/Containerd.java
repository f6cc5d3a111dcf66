package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A containerd of the test's own: config, root, state, sockets (grpc, ttrpc, debug), plugin and opt
 * dirs all below {@code dir}; CRI disabled (no CNI or pause image offline). {@link #cli} is ctr
 * bound to its socket and to a namespace unique to this fixture; {@link #run} adds {@code
 * --fifo-dir} and {@code --runc-root} in the test dir, which ctr otherwise puts in /run/containerd.
 * Also the containerd behind {@link Dockerd}: dockerd's own would write /opt/containerd.
 *
 * <p>close() deletes every task it can through the API, stops containerd by PID, then the shims
 * (separate processes, found by the socket named in their command line), then sweeps ({@link
 * Leftovers}).
 *
 * <p>Not confinable: containerd 1.6 puts shim sockets in /run/containerd/s/ (hard-coded; each
 * removed when its shim exits, the empty dir stays).
 */
public final class Containerd extends Engine {
    private final Path socket;
    private final String namespace;
    private Process process;

    public Containerd(Path dir) {
        super("containerd", dir);
        this.socket = dir.resolve("containerd.sock");
        this.namespace = TestDir.unique("nestlet-it");
    }

    public Containerd start() throws IOException, InterruptedException {
        Path config = dir().resolve("config.toml");
        Files.createDirectories(dir());
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "version = 2",
                        "root = " + Toml.string(dir().resolve("root")),
                        "state = " + Toml.string(dir().resolve("state")),
                        "plugin_dir = " + Toml.string(dir().resolve("plugins")),
                        "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]",
                        "[grpc]",
                        "  address = " + Toml.string(socket),
                        "[ttrpc]",
                        "  address = " + Toml.string(dir().resolve("containerd.sock.ttrpc")),
                        "[debug]",
                        "  address = " + Toml.string(dir().resolve("debug.sock")),
                        "[metrics]",
                        "  address = \"\"",
                        "[plugins.\"io.containerd.internal.v1.opt\"]",
                        "  path = " + Toml.string(dir().resolve("opt")),
                        ""));
        // TMPDIR (set by startDaemon) is inherited by the shims: they make console sockets there.
        process =
                startDaemon(
                        List.of("containerd", "--config", config.toString()),
                        log(),
                        "containerd successfully booted");
        return this;
    }

    public Path socket() {
        return socket;
    }

    /** The ctr namespace of this fixture; ctr's default cgroup for a container is /NAMESPACE/ID. */
    public String namespace() {
        return namespace;
    }

    public long pid() {
        return process.pid();
    }

    /** Where runc (or the --runc-binary given) keeps container state: this dir/NAMESPACE. */
    public Path runcRoot() {
        return dir().resolve("runc");
    }

    public Path log() {
        return dir().resolve("containerd.log");
    }

    /** Where ctr makes the FIFOs of a container's stdio (ctr's default: /run/containerd/fifo). */
    public Path fifoDir() {
        return dir().resolve("fifo");
    }

    /**
     * ctr bound to this containerd and this fixture's namespace. Commands that attach IO other than
     * {@link #run} ({@code task exec}, {@code task start}) need {@code --fifo-dir} from {@link
     * #fifoDir()}, or ctr uses /run/containerd/fifo.
     */
    public Cmd.Result cli(String... args) {
        return ctrIn(namespace, args);
    }

    private Cmd.Result ctrIn(String ns, String... args) {
        return Cmd.of(args(List.of("ctr", "--address", socket.toString(), "--namespace", ns), args))
                .env(Map.of("TMPDIR", dir().resolve("tmp").toString()))
                .timeout(60)
                .run();
    }

    /**
     * {@code ctr run} with FIFOs and runc state in the test dir; callers add {@code --rm}/{@code
     * -d}, {@code --runc-binary PATH}, {@code --runtime ...}, then IMAGE ID [COMMAND...].
     */
    public Cmd.Result run(String... args) {
        return cli(
                args(
                        List.of(
                                "run",
                                "--fifo-dir",
                                fifoDir().toString(),
                                "--runc-root",
                                runcRoot().toString()),
                        args));
    }

    /**
     * Imports a docker-archive or OCI archive; tags its image {@code name}; returns {@code name}.
     */
    public String importImage(Path archive, String name) {
        String imported = importArchive(archive);
        if (!imported.equals(name)) {
            cli("image", "tag", "--force", imported, name).ok();
        }
        return name;
    }

    /** Imports an archive; returns the reference ctr gave it ("unpacking REF (sha256:...)"). */
    private String importArchive(Path archive) {
        Cmd.Result r = cli("image", "import", archive.toString()).ok();
        for (String line : r.all().split("\n")) {
            if (line.startsWith("unpacking ") && line.contains(" (")) {
                return line.substring("unpacking ".length(), line.indexOf(" ("));
            }
        }
        throw new AssertionError("no image in ctr import output: " + r.all());
    }

    @Override
    public String importBusybox() {
        return importArchive(Images.busyboxDockerArchive());
    }

    @Override
    public Cmd.Result runRm(String image, String... command) {
        return run(args(List.of("--rm", image, TestDir.unique("c")), command));
    }

    /** ctr's default cgroup parent: the namespace, unique to the fixture. */
    @Override
    public String cgroupParent() {
        return "/" + namespace;
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        if (process.isAlive()) {
            deleteAllTasks();
        }
        Processes.stop(List.of(process.toHandle()), 5_000);
        // Shims outlive containerd; each names this socket in its command line (-address SOCKET).
        Processes.stop(Processes.mentioning(socket.toString()), 2_000);
        Leftovers.sweep(dir(), cgroupParent());
    }

    /**
     * Kills and deletes every task and container in every namespace (all of them are this test's).
     */
    private void deleteAllTasks() {
        for (String ns : lines(ctrIn(namespace, "namespaces", "list", "--quiet"))) {
            for (String task : lines(ctrIn(ns, "tasks", "list", "--quiet"))) {
                ctrIn(ns, "tasks", "delete", "--force", task);
            }
            for (String c : lines(ctrIn(ns, "containers", "list", "--quiet"))) {
                ctrIn(ns, "containers", "delete", c);
            }
        }
    }

    private static List<String> lines(Cmd.Result r) {
        return r.exit() != 0 ? List.of() : r.out().lines().filter(l -> !l.isBlank()).toList();
    }
}
