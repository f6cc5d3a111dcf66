package dev.nestlet.it.support;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A Docker-in-Docker system container of the slow tests: the DinD image under a private overlay
 * (the image stays pristine), an engine-like config (Docker's default capabilities, seccomp
 * profile, masked and read-only paths), started through nestlet-runtime; its init starts dockerd
 * and runs the scripts its {@link InitRunner} drops into its /run.
 */
public final class SystemContainer implements AutoCloseable {
    private final Container container;
    private final Path merged;
    private int pid;

    private SystemContainer(Container container, Path merged) {
        this.container = container;
        this.merged = merged;
    }

    /** Docker's default capability set for an unprivileged container. */
    static final String[] DOCKER_CAPS = {
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_FSETID",
        "CAP_FOWNER",
        "CAP_MKNOD",
        "CAP_NET_RAW",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETFCAP",
        "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT",
        "CAP_KILL",
        "CAP_AUDIT_WRITE"
    };

    /**
     * An engine-like spec for the DinD image at {@code rootfs}; the caller may adjust it (a network
     * namespace path, a seccomp profile) before {@link #start}.
     */
    public static Spec spec(Path rootfs, String dockerdArgs) {
        Spec spec = new Spec(rootfs, "/usr/local/bin/nestlet-e2e-init");
        ObjectNode process = (ObjectNode) spec.json().path("process");
        ArrayNode env = process.putArray("env");
        env.add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.add("DOCKERD_ARGS=" + dockerdArgs);
        ObjectNode caps = process.putObject("capabilities");
        for (String set : new String[] {"bounding", "effective", "permitted"}) {
            ArrayNode a = caps.putArray(set);
            for (String c : DOCKER_CAPS) {
                a.add(c);
            }
        }
        process.put("noNewPrivileges", false);
        ((ObjectNode) spec.json().path("linux")).set("seccomp", dockerDefaultSeccomp());
        ObjectNode run = spec.json().withArray("mounts").addObject();
        run.put("destination", "/run").put("type", "tmpfs").put("source", "tmpfs");
        run.putArray("options").add("nosuid").add("nodev").add("mode=755");
        return spec;
    }

    /**
     * The seccomp profile dockerd 20.10 wrote for an unprivileged container (recorded in
     * engine-configs/).
     */
    static ObjectNode dockerDefaultSeccomp() {
        try (var in = SystemContainer.class.getResourceAsStream("/engine-configs/dockerd.json")) {
            return (ObjectNode)
                    new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(in)
                            .path("linux")
                            .path("seccomp");
        } catch (IOException e) {
            throw new AssertionError("no recorded dockerd config", e);
        }
    }

    /**
     * Joins the network namespace {@code name} made on the host (ip netns add), as a pod sandbox
     * is.
     */
    public static void joinNetns(Spec spec, String name) {
        for (var ns : spec.json().path("linux").path("namespaces")) {
            if (ns.path("type").asText().equals("network")) {
                ((ObjectNode) ns).put("path", "/var/run/netns/" + name);
            }
        }
    }

    /**
     * Mounts a private overlay of the image in {@code dir}, writes the bundle, starts it through
     * nestlet-runtime.
     */
    public static SystemContainer start(
            OciRuntime rt,
            Daemon daemon,
            Path dir,
            String id,
            Path image,
            java.util.function.Consumer<Spec> adjust,
            String dockerdArgs)
            throws Exception {
        Path layers = dir.resolve(id + "-layers");
        Path merged =
                Mounts.overlay(
                        List.of(image),
                        layers.resolve("upper"),
                        layers.resolve("work"),
                        layers.resolve("merged"));
        Spec spec = spec(merged, dockerdArgs);
        adjust.accept(spec);
        Path bundle = spec.writeTo(dir.resolve(id));
        Container c = Container.viaShim(rt, daemon, dir.resolve("rt-" + rt.binary()), bundle, id);
        SystemContainer sc = new SystemContainer(c, merged);
        try {
            c.startDetached();
            sc.pid = c.pid();
        } catch (RuntimeException | Error e) {
            sc.close();
            throw e;
        }
        return sc;
    }

    public int pid() {
        return pid;
    }

    public Container container() {
        return container;
    }

    /** Runs scripts as children of its init. */
    public InitRunner runner() {
        return new InitRunner(pid);
    }

    @Override
    public void close() throws Exception {
        try {
            container.close();
        } finally {
            Cmd.of("umount", merged.toString()).run();
        }
    }
}
