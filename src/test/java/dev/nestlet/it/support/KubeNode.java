package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes node without a kubelet, for the tests: containerd 2.x with its CRI plugin, runc 1.3
 * and crun from Debian sid, CNI (bridge + host-local + portmap), a local static pause image as the
 * sandbox image, all in a node root that is built once per test JVM ({@link #nodeRoot()}).
 *
 * <p>The node is entered as kind enters one (src/test/resources/kube/enter-node.sh): its own mount
 * and network namespaces (so the CNI bridge, veths and iptables rules are the node's, never the
 * host's), the root bind-mounted on itself and pivot_root'ed into, /run and /tmp fresh tmpfs. The
 * test dir, the install tree and the JVM are bound in at their host paths, so that paths agree
 * between the host and the node: everything containerd and nestletd keep on disk (state, sockets,
 * logs, containers' rootfs) is in the test dir. nestletd runs inside the node's mount namespace
 * ({@link #nestletd}), as it runs in a real node's, and is registered as containerd's runtime
 * handler {@code nestlet} ({@link #handler}).
 *
 * <p>close() stops containerd by PID, then the shims (their command line names this node's socket),
 * kills what is left in the pods' cgroup parent, and sweeps ({@link Leftovers}); the node's
 * namespaces die with their last process, and with them every mount, netns, veth and rule made
 * inside.
 */
public final class KubeNode extends Engine {
    /** The sandbox image every pod gets (containerd's pinned sandbox image). */
    public static final String PAUSE_IMAGE = "nestlet.test/pause:1";

    /** The busybox image in the k8s.io namespace, as CRI names it. */
    public static final String BUSYBOX = "docker.io/" + Images.BUSYBOX;

    public static final String K8S_NAMESPACE = "k8s.io";

    private static Path nodeRoot;
    private static Path pauseArchive;

    /**
     * The host's containerd 1.6 (Debian 12), bound over the node's own by {@link #containerd16()}.
     */
    private static final List<String> CONTAINERD_16 =
            List.of("/usr/bin/containerd", "/usr/bin/containerd-shim-runc-v2", "/usr/bin/ctr");

    private final Path socket;
    private boolean containerd16;
    private final Map<String, Handler> handlers = new LinkedHashMap<>();
    private final List<String> extraToml = new ArrayList<>();
    private Path root;
    private String configInNode;
    private Process process;

    /**
     * A runtime handler: containerd's runtimes.NAME with BinaryName, optionally passing every
     * annotation.
     */
    public record Handler(String name, Path binary, boolean allAnnotations) {}

    public KubeNode(Path dir) {
        super("kubenode", dir);
        this.socket = dir.resolve("containerd.sock");
        handlers.put("runc", new Handler("runc", Path.of("/usr/sbin/runc"), false));
    }

    /** Registers runtime handler {@code name} (before start). */
    public KubeNode handler(String name, Path binary, boolean allAnnotations) {
        handlers.put(name, new Handler(name, binary, allAnnotations));
        return this;
    }

    /**
     * Runs Debian 12's containerd 1.6 (the host's binaries, bound over the node's 2.x; runc stays
     * the node's) with a version 2 config: the CRI plugin is {@code io.containerd.grpc.v1.cri}
     * there. No user namespaces.
     */
    public KubeNode containerd16() {
        containerd16 = true;
        return this;
    }

    /** Runs the node on {@code root} instead of the shared {@link #nodeRoot()} (before start). */
    public KubeNode root(Path root) {
        this.root = root;
        return this;
    }

    /**
     * containerd reads {@code pathInNode}, a file of the node root, as a real node's reads its
     * /etc/containerd/config.toml, instead of a config this node writes at start: e.g. one that
     * {@link #config()} wrote and an installer edited since, over a restart.
     */
    public KubeNode configInNode(String pathInNode) {
        this.configInNode = pathInNode;
        return this;
    }

    /** The containerd config this node runs with by default: everything in its dir. */
    public String config() {
        return containerdConfig();
    }

    /** 1 or 2: the major version of the containerd this node runs. */
    public int containerdMajor() {
        return containerd16 ? 1 : 2;
    }

    /**
     * Adds TOML to containerd's config as it is (before start): e.g. a packaged handler snippet.
     */
    public KubeNode toml(String text) {
        extraToml.add(text);
        return this;
    }

    /**
     * The node root: Debian sid with containerd 2.x, runc, crun, CNI plugins, iproute2, iptables.
     * Once per JVM.
     */
    public static synchronized Path nodeRoot() throws IOException {
        String prebuilt = System.getProperty("nestlet.it.kubeNodeRoot", "");
        if (nodeRoot == null && !prebuilt.isEmpty()) {
            // A root built before (SUITE=sid scripts/debian-rootfs.sh DIR PACKAGES...), kept: for
            // development.
            nodeRoot = Path.of(prebuilt);
        }
        if (nodeRoot == null) {
            Path base = Path.of(System.getProperty("nestlet.it.tmp", "/var/tmp"));
            Path d = Files.createTempDirectory(base, "nestlet-it-kubenode-");
            Cmd.of("chmod", "711", d.toString()).run().ok();
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        Mounts.unmountBelow(d);
                                        Cmd.of("rm", "-rf", "--one-file-system", d.toString())
                                                .run();
                                    }));
            Path root = d.resolve("root");
            Path script =
                    Path.of(System.getProperty("nestlet.scripts", "scripts"))
                            .resolve("debian-rootfs.sh");
            Cmd.of(
                            List.of(
                                    script.toString(),
                                    root.toString(),
                                    "containerd",
                                    "runc",
                                    "crun",
                                    "containernetworking-plugins",
                                    "iproute2",
                                    "iptables"))
                    .env(Map.of("SUITE", "sid"))
                    .timeout(900)
                    .run()
                    .ok();
            nodeRoot = root;
        }
        return nodeRoot;
    }

    /**
     * The pause image: src/test/c/pause.c built static, as a docker-archive tagged {@link
     * #PAUSE_IMAGE}.
     */
    public static synchronized Path pauseArchive() throws IOException {
        if (pauseArchive == null) {
            Path base = Path.of(System.getProperty("nestlet.it.tmp", "/var/tmp"));
            Path d = Files.createTempDirectory(base, "nestlet-it-pause-");
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () ->
                                            Cmd.of("rm", "-rf", "--one-file-system", d.toString())
                                                    .run()));
            Files.createDirectories(d.resolve("rootfs"));
            TestPrograms.build("pause", d.resolve("rootfs/pause"));
            Path layer = d.resolve("layer.tar");
            Cmd.of(
                            "tar",
                            "--numeric-owner",
                            "-C",
                            d.resolve("rootfs").toString(),
                            "-cf",
                            layer.toString(),
                            ".")
                    .run()
                    .ok();
            pauseArchive =
                    Images.dockerArchive(
                            layer, PAUSE_IMAGE, List.of("/pause"), d.resolve("pause.tar"));
        }
        return pauseArchive;
    }

    /**
     * An overlay on the shared {@link #nodeRoot()} at {@code dir}/root, its changes in {@code
     * dir}/upper: a node root of one's own, for {@link #root}, that leaves the shared one as it was
     * (containerd, CNI and enter-node.sh write into the node's root). Unmounted with the dir. Not
     * the default: on an overlay root, nestlet-runtime's features probe of /var/lib/nestlet finds
     * no ID-mapped mounts, and containerd 2.x then refuses hostUsers: false pods.
     */
    public static Path overlay(Path dir) throws IOException {
        return Mounts.overlay(
                List.of(nodeRoot()),
                dir.resolve("upper"),
                dir.resolve("work"),
                dir.resolve("root"));
    }

    public KubeNode start() throws IOException, InterruptedException {
        Path root = this.root != null ? this.root : nodeRoot();
        Path archive = pauseArchive();
        Files.createDirectories(dir().resolve("cni/net.d"));
        Files.writeString(dir().resolve("cni/net.d/10-nestlet-it.conflist"), cniConfig());
        String config = configInNode;
        if (config == null) {
            config = dir().resolve("config.toml").toString();
            Files.writeString(Path.of(config), containerdConfig());
        }
        List<String> cmd = EnterNode.command(true, root, dir());
        cmd.add(Dist.home().toString());
        cmd.addAll(jvmDirs());
        if (containerd16) {
            cmd.addAll(CONTAINERD_16);
        }
        cmd.addAll(List.of("--", "containerd", "--config", config));
        process = startDaemon(cmd, log(), "containerd successfully booted");
        Files.writeString(pidFile(), String.valueOf(process.pid()));
        importImage(archive);
        importImage(Images.busyboxDockerArchive());
        return this;
    }

    /**
     * containerd 1.6 config (version 2): everything in the test dir, CRI on, one table per handler.
     */
    private String containerd16Config() {
        String cri = "[plugins.\"io.containerd.grpc.v1.cri\"";
        StringBuilder s =
                new StringBuilder(
                        String.join(
                                "\n",
                                "version = 2",
                                "root = " + Toml.string(dir().resolve("root")),
                                "state = " + Toml.string(dir().resolve("state")),
                                "[grpc]",
                                "  address = " + Toml.string(socket),
                                "[ttrpc]",
                                "  address = "
                                        + Toml.string(dir().resolve("containerd.sock.ttrpc")),
                                "[debug]",
                                "  address = " + Toml.string(dir().resolve("debug.sock")),
                                "[metrics]",
                                "  address = \"\"",
                                "[plugins.\"io.containerd.internal.v1.opt\"]",
                                "  path = " + Toml.string(dir().resolve("opt")),
                                cri + "]",
                                "  sandbox_image = \"" + PAUSE_IMAGE + "\"",
                                "  restrict_oom_score_adj = true",
                                cri + ".cni]",
                                "  bin_dir = \"/usr/lib/cni\"",
                                "  conf_dir = " + Toml.string(dir().resolve("cni/net.d")),
                                cri + ".containerd]",
                                "  default_runtime_name = \"runc\"",
                                ""));
        for (Handler h : handlers.values()) {
            String table = cri + ".containerd.runtimes." + h.name() + "]";
            s.append(table).append("\n  runtime_type = \"io.containerd.runc.v2\"\n");
            if (h.allAnnotations()) {
                s.append(
                        "  pod_annotations = ['*', '*/*']\n  container_annotations = ['*', '*/*']\n");
            }
            s.append(table.replace("]", ".options]"))
                    .append("\n  BinaryName = ")
                    .append(Toml.string(h.binary()))
                    .append("\n");
        }
        extraToml.forEach(t -> s.append(t).append("\n"));
        return s.toString();
    }

    /**
     * containerd 2.x config (version 3): everything in the test dir, CRI on, NRI off, one table per
     * handler.
     */
    private String containerdConfig() {
        if (containerd16) {
            return containerd16Config();
        }
        StringBuilder s =
                new StringBuilder(
                        String.join(
                                "\n",
                                "version = 3",
                                "root = " + Toml.string(dir().resolve("root")),
                                "state = " + Toml.string(dir().resolve("state")),
                                "[grpc]",
                                "  address = " + Toml.string(socket),
                                "[ttrpc]",
                                "  address = "
                                        + Toml.string(dir().resolve("containerd.sock.ttrpc")),
                                "[debug]",
                                "  address = " + Toml.string(dir().resolve("debug.sock")),
                                "[metrics]",
                                "  address = \"\"",
                                "[plugins.'io.containerd.nri.v1.nri']",
                                "  disable = true",
                                "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
                                "  sandbox = \"" + PAUSE_IMAGE + "\"",
                                // Root lacks CAP_SYS_RESOURCE here: the pause container's
                                // oom_score_adj -998 would be refused.
                                "[plugins.'io.containerd.cri.v1.runtime']",
                                "  restrict_oom_score_adj = true",
                                "[plugins.'io.containerd.cri.v1.runtime'.cni]",
                                "  bin_dirs = [\"/usr/lib/cni\"]",
                                "  conf_dir = " + Toml.string(dir().resolve("cni/net.d")),
                                "[plugins.'io.containerd.cri.v1.runtime'.containerd]",
                                "  default_runtime_name = \"runc\"",
                                ""));
        for (Handler h : handlers.values()) {
            String table =
                    "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes." + h.name() + "]";
            s.append(table).append("\n  runtime_type = \"io.containerd.runc.v2\"\n");
            if (h.allAnnotations()) {
                // "*" does not match a key with a "/".
                s.append(
                        "  pod_annotations = ['*', '*/*']\n  container_annotations = ['*', '*/*']\n");
            }
            s.append(table.replace("]", ".options]"))
                    .append("\n  BinaryName = ")
                    .append(Toml.string(h.binary()))
                    .append("\n");
        }
        extraToml.forEach(t -> s.append(t).append("\n"));
        return s.toString();
    }

    /**
     * bridge + host-local (its data in the test dir) + portmap; containerd adds loopback itself.
     */
    private String cniConfig() {
        return """
                {"cniVersion": "1.0.0", "name": "nestlet-it", "plugins": [
                  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true,
                   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.88.0.0/16"}]],
                            "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "%s"}},
                  {"type": "portmap", "capabilities": {"portMappings": true}}]}
                """
                .formatted(ipamDir());
    }

    /** host-local's leases: one file per IP handed out. */
    public Path ipamDir() {
        return dir().resolve("cni/ipam");
    }

    /** The CRI endpoint (containerd's grpc socket). */
    public Path socket() {
        return socket;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return dir().resolve("containerd.log");
    }

    /** A prefix that runs a command in the node (its mount and network namespaces). */
    public List<String> enter() {
        return List.of("nsenter", "-t", String.valueOf(pid()), "-m", "-n", "--");
    }

    /** Runs a command inside the node. */
    public Cmd.Result exec(String... command) {
        return exec(120, command);
    }

    private Cmd.Result exec(long timeoutSeconds, String... command) {
        List<String> cmd = new ArrayList<>(enter());
        cmd.addAll(List.of(command));
        return Cmd.of(cmd).timeout(timeoutSeconds).run();
    }

    /**
     * GET http://ip:port/ from the node's network namespace, as a probe or a Service would reach a
     * pod, retried for 10 s; with the host's busybox (whose wget -T segfaults).
     */
    public String fetch(String ip, int port) throws InterruptedException {
        return fetch("http://" + ip + ":" + port + "/");
    }

    /** GET {@code url} from the node's network namespace, as {@link #fetch(String, int)} does. */
    public String fetch(String url) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Cmd.Result r;
        do {
            r =
                    Cmd.of(
                                    "nsenter",
                                    "-t",
                                    String.valueOf(pid()),
                                    "-n",
                                    "--",
                                    "timeout",
                                    "5",
                                    "busybox",
                                    "wget",
                                    "-qO-",
                                    url)
                            .run();
            if (r.exit() == 0) {
                return r.out();
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(
                url + " does not answer from the node: exit " + r.exit() + ": " + r.all());
    }

    /**
     * The host pid of a running container's init, as containerd knows it (the node shares the
     * host's pid namespace), whatever nestletd runs.
     */
    public int taskPid(String containerId) {
        for (String line : ctr("task", "ls").ok().out().lines().skip(1).toList()) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals(containerId)) {
                return Integer.parseInt(f[1]);
            }
        }
        throw new AssertionError("containerd runs no task " + containerId);
    }

    /** ctr in the node, namespace k8s.io. */
    public Cmd.Result ctr(String... args) {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "ctr",
                                "--address",
                                socket.toString(),
                                "--namespace",
                                K8S_NAMESPACE));
        cmd.addAll(List.of(args));
        return exec(600, cmd.toArray(String[]::new));
    }

    /**
     * Imports a docker-archive into k8s.io. ctr reads it inside the node: one outside this node's
     * dir is copied in first (write large ones to {@link #imagesDir()} directly).
     */
    public void importImage(Path archive) throws IOException {
        Path in = archive;
        if (!archive.toAbsolutePath().startsWith(dir())) {
            in = imagesDir().resolve(archive.getFileName());
            // A node started again in the same dir finds its copy there.
            Files.copy(archive, in, StandardCopyOption.REPLACE_EXISTING);
        }
        ctr("image", "import", in.toString()).ok();
    }

    /** Where image archives for {@link #importImage} can be written, inside the node's dir. */
    public Path imagesDir() throws IOException {
        return Files.createDirectories(dir().resolve("images"));
    }

    /**
     * A nestletd to run inside the node's mount and network namespaces, its socket and state in
     * {@code dir}; start it once the node has started (its {@link Daemon#runtimeWrapper} can be
     * written before, for {@link #handler}).
     */
    public Daemon nestletd(Path dir, String... args) throws IOException {
        Files.createDirectories(dir);
        // The node's PID is known once it runs: read at exec time; sh and nsenter exec, so the PID
        // is nestletd's.
        List<String> launcher =
                List.of(
                        "sh",
                        "-c",
                        "exec nsenter -t \"$(cat " + pidFile() + ")\" -m -n -- \"$@\"",
                        "sh");
        // The install tree's own runtime, as on a node; without one (a build without Temurin 25),
        // the test's JVM, whose directories the node has bound in.
        Map<String, String> env =
                Files.isExecutable(Dist.home().resolve("runtime/bin/java"))
                        ? Map.of()
                        : Map.of("JAVA", javaHome().resolve("bin/java").toString());
        return new Daemon(dir, launcher, env, args);
    }

    private Path pidFile() {
        return dir().resolve("node.pid");
    }

    /** The JVMs and their configuration (Debian's JDK links conf/ to /etc/java-N-openjdk). */
    private static List<String> jvmDirs() throws IOException {
        List<String> out = new ArrayList<>(List.of("/usr/lib/jvm"));
        try (var etc = Files.newDirectoryStream(Path.of("/etc"), "java-*")) {
            etc.forEach(p -> out.add(p.toString()));
        }
        return out;
    }

    private static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    /** A kubelet-like client of this node's CRI. */
    public CriClient cri() {
        return new CriClient(socket);
    }

    @Override
    public String importBusybox() {
        return BUSYBOX;
    }

    @Override
    public Cmd.Result runRm(String image, String... command) {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "run",
                                "--rm",
                                "--cgroup",
                                cgroupParent() + "/ctr",
                                image,
                                TestDir.unique("c")));
        cmd.addAll(List.of(command));
        return ctr(cmd.toArray(String[]::new));
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        Processes.stop(List.of(process.toHandle()), 5_000);
        // Shims outlive containerd; each names this socket in its command line (-address SOCKET).
        Processes.stop(Processes.mentioning(socket.toString()), 2_000);
        Leftovers.sweep(dir(), cgroupParent());
    }
}
