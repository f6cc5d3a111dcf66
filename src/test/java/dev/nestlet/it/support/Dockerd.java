package dev.nestlet.it.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dockerd of the test's own, everything below {@code dir}:
 *
 * <ul>
 *   <li>its containerd is a {@link Containerd} fixture passed with {@code --containerd}: the one
 *       dockerd 20.10 would start itself writes /opt/containerd and is only stopped when dockerd
 *       shuts down cleanly;
 *   <li>{@code --config-file} in the dir (not /etc/docker/daemon.json), naming a trust key file in
 *       the dir: dockerd 20.10 otherwise writes /etc/docker/key.json;
 *   <li>no host network changes: {@code --bridge=none --iptables=false --ip6tables=false
 *       --ip-forward=false --ip-masq=false --userland-proxy=false};
 *   <li>containers under a cgroup parent unique to the fixture; overlay2.
 * </ul>
 *
 * Runtimes given with {@link #runtime} are registered with {@code --add-runtime}; {@code docker run
 * --runtime NAME} picks one. The CLI is the Docker 20.10 one (same API as the daemon; the CLI 28 on
 * PATH works too), with its config dir in the test dir.
 *
 * <p>Not confinable: dockerd 20.10 creates the empty dir /run/docker/plugins (hard-coded plugin
 * socket dir).
 */
public final class Dockerd extends Engine {
    /** dockerd's flags that keep it from changing the host's network: no bridge, no rules. */
    public static final List<String> NO_HOST_NETWORK =
            List.of(
                    "--bridge=none",
                    "--iptables=false",
                    "--ip6tables=false",
                    "--ip-forward=false",
                    "--ip-masq=false",
                    "--userland-proxy=false");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;
    private final Map<String, Path> runtimes = new LinkedHashMap<>();
    private final Containerd containerd;
    private Process process;

    public Dockerd(Path dir) {
        super("dockerd", dir);
        this.socket = dir.resolve("docker.sock");
        this.containerd = new Containerd(dir.resolve("ctrd"));
    }

    /** Registers {@code path} as runtime {@code name} (dockerd --add-runtime); before start(). */
    public Dockerd runtime(String name, Path path) {
        runtimes.put(name, path);
        return this;
    }

    /**
     * Starts containerd, then dockerd; {@link #startTime()} is dockerd's alone (exec to "API listen
     * on").
     */
    public Dockerd start() throws IOException, InterruptedException {
        containerd.start();
        Path config = dir().resolve("daemon.json");
        JSON.writeValue(
                config.toFile(),
                Map.of("deprecated-key-path", dir().resolve("key.json").toString()));
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "dockerd",
                                "--config-file",
                                config.toString(),
                                "--containerd",
                                containerd.socket().toString(),
                                "--data-root",
                                dataRoot().toString(),
                                "--exec-root",
                                execRoot().toString(),
                                "-H",
                                "unix://" + socket,
                                "--pidfile",
                                dir().resolve("docker.pid").toString(),
                                "--storage-driver",
                                "overlay2",
                                "--cgroup-parent",
                                cgroupParent()));
        cmd.addAll(NO_HOST_NETWORK);
        runtimes.forEach((name, path) -> cmd.addAll(List.of("--add-runtime", name + "=" + path)));
        process = startDaemon(cmd, log(), "API listen on");
        return this;
    }

    public Path socket() {
        return socket;
    }

    public Path dataRoot() {
        return dir().resolve("data");
    }

    public Path execRoot() {
        return dir().resolve("exec");
    }

    public Containerd containerd() {
        return containerd;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return dir().resolve("dockerd.log");
    }

    /** The docker CLI bound to this daemon. */
    public Cmd.Result cli(String... args) {
        String docker =
                Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
        return Cmd.of(args(List.of(docker, "-H", "unix://" + socket), args))
                .env(Map.of("DOCKER_CONFIG", dir().resolve("cli").toString()))
                .timeout(60)
                .run();
    }

    /**
     * {@code docker run ARGS}: callers add --rm, --runtime NAME, --network, the image and the
     * command.
     */
    public Cmd.Result run(String... args) {
        return cli(args(List.of("run"), args));
    }

    /** {@code docker import} of a rootfs tar as {@code name}; returns {@code name}. */
    public String importImage(Path rootfsTar, String name) {
        cli("import", rootfsTar.toString(), name).ok();
        return name;
    }

    @Override
    public String importBusybox() {
        return importImage(Images.busyboxRootfsTar(), Images.BUSYBOX);
    }

    @Override
    public Cmd.Result runRm(String image, String... command) {
        return run(args(List.of("--rm", "--network", "none", image), command));
    }

    @Override
    public void close() {
        try {
            if (process != null) {
                if (process.isAlive()) {
                    List<String> ids =
                            cli("ps", "--all", "--quiet")
                                    .out()
                                    .lines()
                                    .filter(l -> !l.isBlank())
                                    .toList();
                    if (!ids.isEmpty()) {
                        cli(args(List.of("rm", "--force"), ids.toArray(String[]::new)));
                    }
                }
                // SIGTERM: dockerd stops its containers and unmounts the self-bind of its data
                // root.
                Processes.stop(List.of(process.toHandle()), 15_000);
            }
            Cgroups.killAndRemove(cgroupParent());
        } finally {
            try {
                containerd.close();
            } finally {
                Leftovers.sweep(dir(), cgroupParent());
            }
        }
    }
}
