package dev.nestlet.it.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An OCI config.json for tests, close to what `runc spec` writes: own namespaces, the usual mounts
 * and masked paths, no terminal. Builders add nestlet's hooks, the annotation, a user namespace and
 * limits.
 */
public final class Spec {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectNode root = JSON.createObjectNode();

    public Spec(Path rootfs, String... args) {
        root.put("ociVersion", "1.0.2");
        ObjectNode process = root.putObject("process");
        process.put("terminal", false);
        process.putObject("user").put("uid", 0).put("gid", 0);
        ArrayNode a = process.putArray("args");
        for (String s : args) {
            a.add(s);
        }
        process.putArray("env")
                .add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        process.put("cwd", "/");
        ObjectNode caps = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            ArrayNode c = caps.putArray(set);
            for (String cap :
                    List.of(
                            "CAP_CHOWN",
                            "CAP_DAC_OVERRIDE",
                            "CAP_FOWNER",
                            "CAP_KILL",
                            "CAP_SETUID",
                            "CAP_SETGID",
                            "CAP_AUDIT_WRITE",
                            "CAP_NET_BIND_SERVICE")) {
                c.add(cap);
            }
        }
        process.put("noNewPrivileges", true);
        root.putObject("root").put("path", rootfs.toString()).put("readonly", false);
        root.put("hostname", "nestlet-test");
        ArrayNode mounts = root.putArray("mounts");
        mount(mounts, "/proc", "proc", "proc");
        mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        mount(
                mounts,
                "/dev/pts",
                "devpts",
                "devpts",
                "nosuid",
                "noexec",
                "newinstance",
                "ptmxmode=0666",
                "mode=0620");
        mount(
                mounts,
                "/dev/shm",
                "tmpfs",
                "shm",
                "nosuid",
                "noexec",
                "nodev",
                "mode=1777",
                "size=65536k");
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
        mount(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro");
        mount(
                mounts,
                "/sys/fs/cgroup",
                "cgroup",
                "cgroup",
                "nosuid",
                "noexec",
                "nodev",
                "relatime",
                "ro");
        ObjectNode linux = root.putObject("linux");
        ArrayNode ns = linux.putArray("namespaces");
        for (String t : List.of("pid", "network", "ipc", "uts", "mount")) {
            ns.addObject().put("type", t);
        }
        ArrayNode masked = linux.putArray("maskedPaths");
        for (String p :
                List.of(
                        "/proc/acpi",
                        "/proc/kcore",
                        "/proc/keys",
                        "/proc/latency_stats",
                        "/proc/timer_list",
                        "/proc/timer_stats",
                        "/proc/sched_debug",
                        "/sys/firmware",
                        "/proc/scsi")) {
            masked.add(p);
        }
        ArrayNode ro = linux.putArray("readonlyPaths");
        for (String p :
                List.of(
                        "/proc/asound",
                        "/proc/bus",
                        "/proc/fs",
                        "/proc/irq",
                        "/proc/sys",
                        "/proc/sysrq-trigger")) {
            ro.add(p);
        }
    }

    private static void mount(
            ArrayNode mounts, String dest, String type, String source, String... options) {
        ObjectNode m = mounts.addObject();
        m.put("destination", dest).put("type", type).put("source", source);
        if (options.length > 0) {
            ArrayNode o = m.putArray("options");
            for (String s : options) {
                o.add(s);
            }
        }
    }

    public ObjectNode json() {
        return root;
    }

    public Spec annotation(String key, String value) {
        root.withObjectProperty("annotations").put(key, value);
        return this;
    }

    /** Opts in on the hook path. */
    public Spec system() {
        return annotation("io.nestlet.mode", "system");
    }

    /**
     * nestlet-hook at createRuntime and poststop (and createContainer), talking to {@code socket}.
     */
    public Spec nestletHooks(Path socket, String... stages) {
        ObjectNode hooks = root.withObjectProperty("hooks");
        List<String> all =
                stages.length > 0 ? List.of(stages) : List.of("createRuntime", "poststop");
        for (String stage : all) {
            ObjectNode h = hooks.withArray(stage).addObject();
            h.put("path", Dist.bin("nestlet-hook").toString());
            h.putArray("args").add("nestlet-hook").add(stage);
            h.putArray("env").add("NESTLET_SOCKET=" + socket);
            h.put("timeout", 30);
        }
        return this;
    }

    /** A user namespace mapping 0..size-1 to host base..base+size-1. */
    public Spec userns(long base, long size) {
        ((ArrayNode) root.path("linux").path("namespaces")).addObject().put("type", "user");
        ObjectNode linux = (ObjectNode) root.path("linux");
        linux.putArray("uidMappings")
                .addObject()
                .put("containerID", 0)
                .put("hostID", base)
                .put("size", size);
        linux.putArray("gidMappings")
                .addObject()
                .put("containerID", 0)
                .put("hostID", base)
                .put("size", size);
        return this;
    }

    /**
     * Joins the network namespace at {@code path} (an `ip netns` one, say) instead of making a new
     * one.
     */
    public Spec joinNetwork(Path path) {
        for (com.fasterxml.jackson.databind.JsonNode ns : root.path("linux").path("namespaces")) {
            if (ns.path("type").asText().equals("network")) {
                ((ObjectNode) ns).put("path", path.toString());
            }
        }
        return this;
    }

    /** Memory limit, cpuset and CFS quota/period (linux.resources). */
    public Spec resources(long memoryBytes, String cpus, long quotaUs, long periodUs) {
        ObjectNode res = ((ObjectNode) root.path("linux")).putObject("resources");
        res.putObject("memory").put("limit", memoryBytes);
        res.putObject("cpu").put("cpus", cpus).put("quota", quotaUs).put("period", periodUs);
        return this;
    }

    /** A tmpfs of {@code size} (e.g. "128m") at {@code dest}. */
    public Spec tmpfs(String dest, String size) {
        mount(
                (ArrayNode) root.path("mounts"),
                dest,
                "tmpfs",
                "tmpfs",
                "nosuid",
                "nodev",
                "size=" + size);
        return this;
    }

    /** A read-only recursive bind of the host's {@code source} at {@code dest}. */
    public Spec bind(Path source, String dest) {
        mount((ArrayNode) root.path("mounts"), dest, "bind", source.toString(), "rbind", "ro");
        return this;
    }

    public Spec cgroupsPath(String path) {
        ((ObjectNode) root.path("linux")).put("cgroupsPath", path);
        return this;
    }

    public Spec args(String... args) {
        ArrayNode a = ((ObjectNode) root.path("process")).putArray("args");
        for (String s : args) {
            a.add(s);
        }
        return this;
    }

    /** Writes bundle/config.json; returns the bundle. */
    public Path writeTo(Path bundle) throws IOException {
        Files.createDirectories(bundle);
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(bundle.resolve("config.json").toFile(), root);
        return bundle;
    }
}
