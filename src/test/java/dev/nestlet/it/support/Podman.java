package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * podman (no daemon) with configuration and state of the test's own: {@code CONTAINERS_CONF},
 * {@code CONTAINERS_STORAGE_CONF} and {@code CONTAINERS_REGISTRIES_CONF} point at files written
 * below {@code dir} (graphroot, tmp_dir, volumes, events log, network config, image copy dir
 * there), never at /etc/containers. Settings this machine needs (PLATFORM.md): cgroupfs, file
 * events, ulimits it can grant. Also:
 *
 * <ul>
 *   <li>{@code lock_type = "file"}: the default SHM locks live in /dev/shm/libpod_lock, shared with
 *       every podman on the host and re-initialised by a fresh store;
 *   <li>{@code runtime = "runc"}: podman's default, crun, refuses this machine's hybrid cgroups;
 *       {@link #crunHybrid()} is a crun that works here;
 *   <li>{@code hooks_dir} an empty dir of the test: hooks installed on the host
 *       (/usr/share/containers/oci/hooks.d) must not run in tests; callers add {@code --hooks-dir};
 *   <li>no network ({@code netns = "none"}); {@link #run} adds a cgroup parent of the fixture.
 * </ul>
 *
 * One part lives beside the test dir, not in it: the runroot. podman refuses a {@code --runroot}
 * longer than 50 characters, and passes {@code --runroot} to the {@code podman container cleanup}
 * that conmon runs when a container exits; with a runroot in the test dir that cleanup fails, and
 * every {@code podman run --rm} waits 20 s ("Exceeded conmon timeout") before cleaning up itself.
 * So the runroot is a short temp dir ({@code /var/tmp/nlpod-N}) that the fixture owns and removes
 * in close().
 *
 * <p>Not confinable with podman 4.3: the runtime's state root (podman passes no {@code --root}:
 * runc uses /run/runc, crun /run/crun; {@code --runtime-flag root=} is not passed on to {@code
 * podman container cleanup}, which then fails); netavark's run dir /run/containers/networks (empty;
 * created at the store's first use); conmon's console socket /tmp/conmon-term.* (podman does not
 * pass TMPDIR on; removed by conmon). The image blob-info cache, which podman writes to
 * /var/lib/containers/cache, is kept in the test dir by {@link #imageCli}.
 */
public final class Podman extends Engine {
    private final Map<String, String> env;
    private Path runRoot;

    public Podman(Path dir) {
        super("podman", dir);
        this.env =
                Map.of(
                        "CONTAINERS_CONF",
                        dir.resolve("containers.conf").toString(),
                        "CONTAINERS_STORAGE_CONF",
                        dir.resolve("storage.conf").toString(),
                        "CONTAINERS_REGISTRIES_CONF",
                        dir.resolve("registries.conf").toString(),
                        "TMPDIR",
                        dir.resolve("tmp").toString());
    }

    /**
     * Writes the configuration, then runs the first podman command (which initialises the store:
     * the "refresh"); {@link #startTime()} is its time.
     */
    public Podman start() throws IOException {
        for (String d : List.of("tmp", "hooks.d", "net", "image-copy")) {
            Files.createDirectories(dir().resolve(d));
        }
        runRoot = Files.createTempDirectory(Path.of("/var/tmp"), "nlpod-");
        if (runRoot.toString().length() > 50) {
            throw new AssertionError(
                    "podman refuses a runroot longer than 50 characters: " + runRoot);
        }
        Files.writeString(
                dir().resolve("containers.conf"),
                String.join(
                        "\n",
                        "[containers]",
                        "default_ulimits = [\"nofile=20000:20000\", \"nproc=32768:32768\"]",
                        "netns = \"none\"",
                        "log_driver = \"k8s-file\"",
                        "",
                        "[engine]",
                        "cgroup_manager = \"cgroupfs\"",
                        "events_logger = \"file\"",
                        "events_logfile_path = " + Toml.string(dir().resolve("events.log")),
                        "tmp_dir = " + Toml.string(dir().resolve("libpod-tmp")),
                        "lock_type = \"file\"",
                        "runtime = \"runc\"",
                        "static_dir = " + Toml.string(graphRoot().resolve("libpod")),
                        "volume_path = " + Toml.string(graphRoot().resolve("volumes")),
                        "image_copy_tmp_dir = " + Toml.string(dir().resolve("image-copy")),
                        "hooks_dir = [" + Toml.string(dir().resolve("hooks.d")) + "]",
                        "",
                        "[network]",
                        "network_config_dir = " + Toml.string(dir().resolve("net")),
                        ""));
        Files.writeString(
                dir().resolve("storage.conf"),
                String.join(
                        "\n",
                        "[storage]",
                        "driver = \"overlay\"",
                        "graphroot = " + Toml.string(graphRoot()),
                        "runroot = " + Toml.string(runRoot),
                        ""));
        Files.writeString(dir().resolve("registries.conf"), "unqualified-search-registries = []\n");
        long t0 = System.nanoTime();
        cli("info").ok();
        startTime(Duration.ofNanos(System.nanoTime() - t0));
        return this;
    }

    public Path graphRoot() {
        return dir().resolve("storage");
    }

    /** Outside {@link #dir()}: see the class comment. */
    public Path runRoot() {
        return runRoot;
    }

    /** The environment that binds podman to this fixture's configuration. */
    public Map<String, String> env() {
        return env;
    }

    /** podman ARGS with this fixture's configuration. */
    public Cmd.Result cli(String... args) {
        return Cmd.of(args(List.of("podman"), args)).env(env).timeout(60).run();
    }

    /**
     * podman ARGS for commands that copy images (import, load, save): they write a blob-info cache
     * to /var/lib/containers/cache whatever the storage configuration says, so they run in a
     * private mount namespace where /var/lib is a dir of the test. Nothing else of /var/lib is
     * needed by them; the store itself is in the graphroot.
     */
    public Cmd.Result imageCli(String... args) {
        Path varLib = dir().resolve("var-lib");
        try {
            Files.createDirectories(varLib);
        } catch (IOException e) {
            throw new AssertionError("cannot create " + varLib, e);
        }
        return Cmd.of(
                        args(
                                List.of(
                                        "unshare",
                                        "--mount",
                                        "--propagation",
                                        "private",
                                        "sh",
                                        "-c",
                                        "mount --bind \"$0\" /var/lib && exec \"$@\"",
                                        varLib.toString(),
                                        "podman"),
                                args))
                .env(env)
                .timeout(60)
                .run();
    }

    /**
     * {@code podman run --cgroup-parent PARENT ARGS}: callers add --rm/-d, {@code --runtime PATH},
     * {@code --annotation K=V}, {@code --hooks-dir DIR}, the image, the command.
     */
    public Cmd.Result run(String... args) {
        return cli(args(List.of("run", "--cgroup-parent", cgroupParent()), args));
    }

    /**
     * {@code podman import} of a rootfs tar; returns the name podman stores it under
     * (localhost/NAME).
     */
    public String importImage(Path rootfsTar, String name) {
        imageCli("import", rootfsTar.toString(), name).ok();
        return name.contains(".") || name.startsWith("localhost/") ? name : "localhost/" + name;
    }

    @Override
    public String importBusybox() {
        return importImage(Images.busyboxRootfsTar(), Images.BUSYBOX);
    }

    @Override
    public Cmd.Result runRm(String image, String... command) {
        return run(args(List.of("--rm", image), command));
    }

    /**
     * A runtime for {@code podman --runtime} that is crun, run in a private mount namespace without
     * /sys/fs/cgroup/unified: crun 1.8 refuses hybrid cgroups with hugetlb on cgroup2 ("cgroups in
     * hybrid mode not supported, drop all controllers from cgroupv2"). Nothing on the host changes.
     */
    public Path crunHybrid() throws IOException {
        return OciRuntime.CRUN.script(dir().resolve("crun-hybrid"));
    }

    @Override
    public void close() {
        if (runRoot == null) {
            return;
        }
        List<String> ids =
                cli("ps", "--all", "--quiet", "--no-trunc")
                        .out()
                        .lines()
                        .filter(l -> !l.isBlank())
                        .toList();
        if (!ids.isEmpty()) {
            cli("rm", "--all", "--force", "--time", "0");
        }
        // conmon and `podman container cleanup` name this dir (bundle, exit dir, --root) in their
        // command lines.
        Processes.stop(Processes.mentioning(dir().toString()), 2_000);
        Cgroups.killAndRemove(cgroupParent());
        // A container whose podman died keeps its state in the runtime's default root, outside the
        // dir.
        for (String id : ids) {
            for (String rt : List.of("runc", "crun")) {
                if (Files.exists(Path.of("/run", rt, id))) {
                    Cmd.of(rt, "delete", "--force", id).run();
                }
            }
        }
        try {
            Leftovers.sweep(runRoot, cgroupParent());
        } finally {
            Cmd.of("rm", "-rf", "--one-file-system", runRoot.toString()).run();
        }
        Leftovers.sweep(dir(), cgroupParent());
    }
}
