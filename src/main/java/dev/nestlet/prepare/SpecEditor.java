package dev.nestlet.prepare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.idmap.IdRange;
import dev.nestlet.idmap.IdSpan;
import dev.nestlet.lifecycle.ConfigBind;
import dev.nestlet.lsm.Selinux;
import dev.nestlet.oci.Annotations;
import dev.nestlet.shift.RootfsShifter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * The edits that turn an engine's config.json into a system container's. Pure functions on the JSON
 * tree: fields nestlet does not touch stay as they were.
 */
public final class SpecEditor {
    /** Set on a config nestlet has prepared; a second prepare of it is a no-op. */
    public static final String PREPARED = "io.nestlet.prepared";

    /**
     * Every capability of Linux 6.x: inside its own user namespace they mean nothing on the host.
     */
    static final List<String> ALL_CAPS =
            List.of(
                    "CAP_CHOWN",
                    "CAP_DAC_OVERRIDE",
                    "CAP_DAC_READ_SEARCH",
                    "CAP_FOWNER",
                    "CAP_FSETID",
                    "CAP_KILL",
                    "CAP_SETGID",
                    "CAP_SETUID",
                    "CAP_SETPCAP",
                    "CAP_LINUX_IMMUTABLE",
                    "CAP_NET_BIND_SERVICE",
                    "CAP_NET_BROADCAST",
                    "CAP_NET_ADMIN",
                    "CAP_NET_RAW",
                    "CAP_IPC_LOCK",
                    "CAP_IPC_OWNER",
                    "CAP_SYS_MODULE",
                    "CAP_SYS_RAWIO",
                    "CAP_SYS_CHROOT",
                    "CAP_SYS_PTRACE",
                    "CAP_SYS_PACCT",
                    "CAP_SYS_ADMIN",
                    "CAP_SYS_BOOT",
                    "CAP_SYS_NICE",
                    "CAP_SYS_RESOURCE",
                    "CAP_SYS_TIME",
                    "CAP_SYS_TTY_CONFIG",
                    "CAP_MKNOD",
                    "CAP_LEASE",
                    "CAP_AUDIT_WRITE",
                    "CAP_AUDIT_CONTROL",
                    "CAP_SETFCAP",
                    "CAP_MAC_OVERRIDE",
                    "CAP_MAC_ADMIN",
                    "CAP_SYSLOG",
                    "CAP_WAKE_ALARM",
                    "CAP_BLOCK_SUSPEND",
                    "CAP_AUDIT_READ",
                    "CAP_PERFMON",
                    "CAP_BPF",
                    "CAP_CHECKPOINT_RESTORE");

    private SpecEditor() {}

    /** Fields prepare edits or reads that the OCI runtime-spec makes objects, when present. */
    private static final List<String> OBJECTS =
            List.of(
                    "/annotations",
                    "/process",
                    "/process/capabilities",
                    "/root",
                    "/hooks",
                    "/linux",
                    "/linux/resources",
                    "/linux/sysctl");

    /** Fields that are arrays of objects, when present. */
    private static final List<String> ARRAYS_OF_OBJECTS =
            List.of(
                    "/mounts",
                    "/linux/namespaces",
                    "/linux/uidMappings",
                    "/linux/gidMappings",
                    "/linux/devices",
                    "/linux/resources/devices",
                    "/hooks/createRuntime",
                    "/hooks/poststop");

    /**
     * Refuses (bad_bundle, naming the field) a config.json whose fields prepare edits are not of
     * the types of the OCI runtime-spec, so that every edit finds what it expects: an engine never
     * writes such a file, but prepare must answer it with an error, not an internal failure.
     */
    public static void checkShape(ObjectNode config) {
        for (String p : OBJECTS) {
            JsonNode n = config.at(p);
            if (!n.isMissingNode() && !n.isObject()) {
                throw badShape(p, "an object", n);
            }
        }
        for (String p : ARRAYS_OF_OBJECTS) {
            JsonNode n = config.at(p);
            if (n.isMissingNode()) {
                continue;
            }
            if (!n.isArray()) {
                throw badShape(p, "an array", n);
            }
            for (int i = 0; i < n.size(); i++) {
                if (!n.get(i).isObject()) {
                    throw badShape(p + "/" + i, "an object", n.get(i));
                }
            }
        }
        for (JsonNode m : config.path("mounts")) {
            JsonNode destination = m.path("destination");
            if (!destination.isTextual() || destination.asText().isEmpty()) {
                throw badShape("/mounts/*/destination", "a path", destination);
            }
            JsonNode options = m.path("options");
            if (!options.isMissingNode() && !options.isArray()) {
                throw badShape("/mounts/*/options", "an array", options);
            }
        }
        JsonNode label = config.at("/process/selinuxLabel");
        if (!label.isMissingNode() && !label.isNull()) {
            if (!label.isTextual()) {
                throw badShape("/process/selinuxLabel", "a string", label);
            }
            if (!label.asText().isEmpty()) {
                SelinuxLabel.parse(label.asText());
            }
        }
        for (String kind : List.of("uidMappings", "gidMappings")) {
            for (JsonNode m : config.path("linux").path(kind)) {
                for (String field : List.of("containerID", "hostID", "size")) {
                    JsonNode v = m.path(field);
                    if (!v.isIntegralNumber()
                            || !v.canConvertToLong()
                            || v.asLong() < 0
                            || v.asLong() > 0xffffffffL) {
                        throw badShape(
                                "/linux/" + kind + "/*/" + field, "a number of 0 to 4294967295", v);
                    }
                }
                if (m.path("size").asLong() == 0) {
                    throw badShape("/linux/" + kind + "/*/size", "at least 1", m.path("size"));
                }
            }
        }
    }

    private static NestletException badShape(String pointer, String expected, JsonNode found) {
        return new NestletException(
                ErrorCode.BAD_BUNDLE,
                "config.json: "
                        + pointer
                        + " must be "
                        + expected
                        + ", not "
                        + (found.isContainerNode()
                                ? found.getNodeType().name().toLowerCase(Locale.ROOT)
                                : found.toString()));
    }

    public static String annotation(ObjectNode config, String key) {
        JsonNode v = config.path("annotations").path(key);
        return v.isTextual() ? v.asText() : null;
    }

    public static void annotate(ObjectNode config, String key, String value) {
        config.withObjectProperty("annotations").put(key, value);
    }

    private static ObjectNode linux(ObjectNode config) {
        return config.withObjectProperty("linux");
    }

    private static boolean hasNamespace(ObjectNode config, String type) {
        for (JsonNode ns : config.path("linux").path("namespaces")) {
            if (type.equals(ns.path("type").asText())) {
                return true;
            }
        }
        return false;
    }

    private static void addNamespace(ObjectNode config, String type) {
        if (!hasNamespace(config, type)) {
            linux(config).withArray("namespaces").addObject().put("type", type);
        }
    }

    /**
     * The mapping the engine already chose (a user namespace with uid and gid mappings), as the
     * range its container root starts: empty when there is none.
     */
    public static Optional<IdRange> existingMapping(ObjectNode config) {
        if (!hasNamespace(config, "user")) {
            return Optional.empty();
        }
        JsonNode uid = rootLine(config.path("linux").path("uidMappings"));
        JsonNode gid = rootLine(config.path("linux").path("gidMappings"));
        if (uid == null || gid == null) {
            return Optional.empty();
        }
        long size = Math.min(uid.path("size").asLong(), gid.path("size").asLong());
        return Optional.of(
                new IdRange(uid.path("hostID").asLong(), gid.path("hostID").asLong(), size));
    }

    /** Every line of the engine's uid and gid mappings, as host id spans (for overlap checks). */
    public static List<IdSpan> allMappings(ObjectNode config) {
        List<IdSpan> out = new ArrayList<>();
        for (String kind : List.of("uidMappings", "gidMappings")) {
            for (JsonNode m : config.path("linux").path(kind)) {
                out.add(
                        new IdSpan(
                                kind.startsWith("uid"),
                                m.path("hostID").asLong(),
                                m.path("size").asLong()));
            }
        }
        return out;
    }

    private static JsonNode rootLine(JsonNode mappings) {
        for (JsonNode m : mappings) {
            if (m.path("containerID").asLong(-1) == 0) {
                return m;
            }
        }
        return null;
    }

    /** A user namespace whose ids 0..size-1 are the range. */
    public static void setUserNamespace(ObjectNode config, IdRange r) {
        addNamespace(config, "user");
        ObjectNode linux = linux(config);
        linux.putArray("uidMappings")
                .addObject()
                .put("containerID", 0)
                .put("hostID", r.uidBase())
                .put("size", r.size());
        linux.putArray("gidMappings")
                .addObject()
                .put("containerID", 0)
                .put("hostID", r.gidBase())
                .put("size", r.size());
    }

    /**
     * Sysctls that name group ids must name ids of the container's user namespace: dockerd sets
     * net.ipv4.ping_group_range to "0 2147483647", which the kernel refuses (EINVAL) once gids
     * beyond the mapping are unmapped. Clamped to the mapped range.
     */
    public static void fitSysctlsToRange(ObjectNode config, long size) {
        JsonNode sysctl = config.path("linux").path("sysctl");
        JsonNode ping = sysctl.path("net.ipv4.ping_group_range");
        if (!ping.isTextual()) {
            return;
        }
        String[] f = ping.asText().trim().split("\\s+");
        // Anything but two decimal ids is left for the kernel to refuse, as it would anyway.
        if (f.length == 2 && f[0].matches("[0-9]{1,10}") && f[1].matches("[0-9]{1,10}")) {
            long last = size - 1;
            ((ObjectNode) sysctl)
                    .put(
                            "net.ipv4.ping_group_range",
                            Math.min(Long.parseLong(f[0]), last)
                                    + " "
                                    + Math.min(Long.parseLong(f[1]), last));
        }
    }

    /** Its own cgroup namespace: the inner engine sees its cgroup as the root. */
    public static void addCgroupNamespace(ObjectNode config) {
        addNamespace(config, "cgroup");
    }

    /**
     * The full capability set in bounding, effective and permitted (the container's root is root of
     * its userns).
     */
    public static void fullCapabilities(ObjectNode config) {
        ObjectNode caps = config.withObjectProperty("process").withObjectProperty("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            ArrayNode a = caps.putArray(set);
            ALL_CAPS.forEach(a::add);
        }
    }

    /** /sys/fs/cgroup without "ro", so the delegated cgroups can be written. */
    public static void writableCgroupMount(ObjectNode config) {
        for (JsonNode m : config.path("mounts")) {
            if ("/sys/fs/cgroup".equals(m.path("destination").asText())
                    && m.path("options").isArray()) {
                ArrayNode opts = (ArrayNode) m.path("options");
                for (int i = opts.size() - 1; i >= 0; i--) {
                    if ("ro".equals(opts.get(i).asText())) {
                        opts.remove(i);
                    }
                }
            }
        }
    }

    /**
     * /proc/sys out of the read-only paths: inside its own user namespace the container can write
     * only what it owns (sysctls of a network namespace it owns); the host's own sysctls stay owned
     * by host root there. Inner engines write such sysctls (dockerd: net.ipv4.ip_forward).
     */
    public static void writableProcSys(ObjectNode config) {
        JsonNode ro = config.path("linux").path("readonlyPaths");
        if (ro instanceof ArrayNode a) {
            for (int i = a.size() - 1; i >= 0; i--) {
                if ("/proc/sys".equals(a.get(i).asText())) {
                    a.remove(i);
                }
            }
        }
    }

    /**
     * A new sysfs needs CAP_SYS_ADMIN over the network namespace's owner. A container that joins a
     * network namespace made elsewhere (a Kubernetes pod sandbox) cannot mount one from its own
     * user namespace, so it gets the host's /sys bound instead, as rootless runtimes do, with the
     * same options; the cgroup mount on top stays. Returns whether it did.
     */
    public static boolean bindSysWhenNetnsIsJoined(ObjectNode config) {
        boolean joined = false;
        for (JsonNode ns : config.path("linux").path("namespaces")) {
            joined |=
                    "network".equals(ns.path("type").asText())
                            && !ns.path("path").asText("").isEmpty();
        }
        if (!joined) {
            return false;
        }
        for (JsonNode m : config.path("mounts")) {
            if ("/sys".equals(m.path("destination").asText())
                    && "sysfs".equals(m.path("type").asText())) {
                ObjectNode mount = (ObjectNode) m;
                mount.put("type", "bind").put("source", "/sys");
                ArrayNode opts = mount.withArray("options");
                boolean hasRbind = false;
                for (JsonNode o : opts) {
                    hasRbind |= o.asText().equals("rbind");
                }
                if (!hasRbind) {
                    opts.insert(0, "rbind");
                }
            }
        }
        return true;
    }

    /**
     * Where the config's namespace of {@code type} comes from: null when it has none (the runtime's
     * own, such as the host's network), "" when the runtime makes a new one, else the path it
     * joins.
     */
    public static String namespacePath(ObjectNode config, String type) {
        for (JsonNode ns : config.path("linux").path("namespaces")) {
            if (type.equals(ns.path("type").asText())) {
                return ns.path("path").asText("");
            }
        }
        return null;
    }

    /**
     * Whether the container's user namespace will own its network namespace, the condition under
     * which the kernel lets root inside mount a read-write sysfs: a new network namespace is made
     * by the runtime inside the container's user namespace; a joined one (a pod sandbox's) only
     * when {@code joinedOwnedBy(netnsPath, usernsPath)} says that the joined user namespace owns it
     * (Kubernetes {@code hostUsers: false}).
     */
    public static boolean ownsItsNetwork(
            ObjectNode config, BiPredicate<String, String> joinedOwnedBy) {
        String net = namespacePath(config, "network");
        String user = namespacePath(config, "user");
        if (net == null || user == null) {
            return false;
        }
        if (net.isEmpty()) {
            return true;
        }
        return !user.isEmpty() && joinedOwnedBy.test(net, user);
    }

    /**
     * The sysfs at /sys without "ro", for a container that owns its network namespace (see {@link
     * #ownsItsNetwork}): inside its user namespace root can write only what that namespace owns
     * (its network devices), the host's files there stay owned by host root. The engine's masked
     * paths and nestlet's virtual files are mounted on it as before. A read-only /sys makes the
     * kernel refuse any read-write sysfs inside, so privileged inner containers could not start.
     * Returns whether it changed anything.
     */
    public static boolean writableSys(ObjectNode config) {
        boolean changed = false;
        for (JsonNode m : config.path("mounts")) {
            if ("/sys".equals(m.path("destination").asText())
                    && "sysfs".equals(m.path("type").asText())
                    && m.path("options").isArray()) {
                ArrayNode opts = (ArrayNode) m.path("options");
                for (int i = opts.size() - 1; i >= 0; i--) {
                    if ("ro".equals(opts.get(i).asText())) {
                        opts.remove(i);
                        changed = true;
                    }
                }
            }
        }
        return changed;
    }

    /** The tun/tap device: character device 10:200 (Documentation/admin-guide/devices.txt). */
    public static final String TUN = "/dev/net/tun";

    /**
     * {@value #TUN} in the container, a bind of {@code node} ({@link TunNode}), and allowed by its
     * device cgroup where the engine restricts devices: rootless podman's default network
     * (slirp4netns) and VPN clients open it. Safe in the container's own user namespace: a tun
     * interface is made in the caller's network namespace, and only with CAP_NET_ADMIN over that
     * namespace's owner, so never in the host's. A /dev/net/tun the engine passed itself (a device
     * or a mount) stays as it is. Without a device rule list nothing is restricted and none is
     * added. Returns whether it changed anything.
     */
    public static boolean addTunDevice(ObjectNode config, Path node) {
        ObjectNode linux = config.withObjectProperty("linux");
        for (JsonNode d : linux.path("devices")) {
            if (TUN.equals(d.path("path").asText())) {
                return false;
            }
        }
        for (JsonNode m : config.path("mounts")) {
            if (TUN.equals(m.path("destination").asText())) {
                return false;
            }
        }
        addBind(config, new ConfigBind(TUN, node, List.of("bind", "nosuid", "noexec")));
        if (linux.path("resources").path("devices") instanceof ArrayNode rules) {
            rules.addObject()
                    .put("allow", true)
                    .put("type", "c")
                    .put("major", 10)
                    .put("minor", 200)
                    .put("access", "rwm");
        }
        return true;
    }

    /**
     * nestlet's AppArmor profile for system containers
     * (packaging/apparmor/nestlet-system-container).
     */
    public static final String APPARMOR_PROFILE = "nestlet-system-container";

    /**
     * nestlet's AppArmor profile in place of the one the engine asked for (docker-default,
     * cri-containerd.apparmor.d, containers-default-*): those deny mount and writes below /proc/sys
     * and /sys, which an engine inside needs, and nestlet's keeps their other denials. A config
     * without a profile, or with "unconfined", is left as it is. Returns the engine's profile it
     * replaced, or null.
     */
    public static String systemAppArmorProfile(ObjectNode config) {
        JsonNode asked = config.path("process").path("apparmorProfile");
        if (!asked.isTextual()
                || asked.asText().isEmpty()
                || asked.asText().equals("unconfined")
                || asked.asText().equals(APPARMOR_PROFILE)) {
            return null;
        }
        config.withObjectProperty("process").put("apparmorProfile", APPARMOR_PROFILE);
        return asked.asText();
    }

    /**
     * The types engines label a container's process with by default (container-selinux's
     * container_t, and svirt_lxc_net_t, its older name that older engines still write).
     */
    private static final List<String> ENGINE_SELINUX_TYPES =
            List.of("container_t", "svirt_lxc_net_t");

    /**
     * SELinux's counterpart of {@link #systemAppArmorProfile}: container_t may not mount
     * filesystems, so where the engine labelled the process with its default type, the type becomes
     * {@value Selinux#ENGINE_TYPE} (container-selinux's domain for an engine inside a container),
     * with the engine's user, role and level (the container's MCS categories, which its mountLabel
     * and files share) kept, provided the host's policy takes that label ({@code policyAccepts};
     * else the runtime could not set it and the engine's stays). No label or an empty one
     * (label=disable, no SELinux) and any other type (spc_t, container_init_t, a custom one) are
     * what someone chose and stay as they are; mountLabel is never touched. Returns the label it
     * replaced, or null; a malformed label is a bad bundle ({@link #checkShape} refuses it before
     * any edit).
     */
    public static String systemSelinuxLabel(ObjectNode config, Predicate<String> policyAccepts) {
        JsonNode asked = config.path("process").path("selinuxLabel");
        if (!asked.isTextual() || asked.asText().isEmpty()) {
            return null;
        }
        SelinuxLabel label = SelinuxLabel.parse(asked.asText());
        if (!ENGINE_SELINUX_TYPES.contains(label.type())) {
            return null;
        }
        String engines = label.withType(Selinux.ENGINE_TYPE).toString();
        if (!policyAccepts.test(engines)) {
            return null;
        }
        config.withObjectProperty("process").put("selinuxLabel", engines);
        return asked.asText();
    }

    /** nestlet-hook first at each stage, so nestlet's setup precedes the engine's own hooks. */
    public static void addHooks(ObjectNode config, Path hook, Path socket, List<String> stages) {
        ObjectNode hooks = config.withObjectProperty("hooks");
        for (String stage : stages) {
            ArrayNode list = hooks.withArray(stage);
            ObjectNode h = list.insertObject(0);
            h.put("path", hook.toString());
            h.putArray("args").add("nestlet-hook").add(stage);
            h.putArray("env").add("NESTLET_SOCKET=" + socket);
        }
    }

    public static void setRoot(ObjectNode config, Path root) {
        config.withObjectProperty("root").put("path", root.toString());
    }

    /** A read-write bind of a host directory (an inner data dir), nosuid and nodev. */
    public static void addBind(ObjectNode config, String destination, Path source) {
        addBind(
                config,
                new ConfigBind(destination, source, List.of("rbind", "rw", "nosuid", "nodev")));
    }

    /**
     * A bind mount added at the end of the config's mounts, so on top of the engine's; the runtime
     * resolves its destination inside the rootfs.
     */
    public static void addBind(ObjectNode config, ConfigBind bind) {
        ObjectNode m = config.withArray("mounts").addObject();
        m.put("destination", bind.destination())
                .put("type", "bind")
                .put("source", bind.source().toString());
        ArrayNode opts = m.putArray("options");
        bind.options().forEach(opts::add);
    }

    /**
     * Whether the runtime mounts, from this config, the kernel file system that holds {@code path}:
     * a proc at /proc for a path below /proc, a sysfs (or a bind of the host's /sys) at /sys for
     * one below /sys. Anything else nestlet cannot know the content of before the container runs.
     */
    public static boolean mountsKernelFsOf(ObjectNode config, String path) {
        for (JsonNode m : config.path("mounts")) {
            String dest = m.path("destination").asText();
            String type = m.path("type").asText();
            boolean holds =
                    switch (dest) {
                        case "/proc" -> type.equals("proc");
                        case "/sys" ->
                                type.equals("sysfs")
                                        || (type.equals("bind")
                                                && m.path("source").asText().equals("/sys"));
                        default -> false;
                    };
            if (holds && path.startsWith(dest + "/")) {
                return true;
            }
        }
        return false;
    }

    /** Bind mounts of host directories and files: the volumes to shift. */
    public static List<RootfsShifter.Volume> hostBinds(ObjectNode config) {
        List<RootfsShifter.Volume> out = new ArrayList<>();
        for (JsonNode m : config.path("mounts")) {
            List<String> opts = new ArrayList<>();
            m.path("options").forEach(o -> opts.add(o.asText()));
            boolean bind =
                    "bind".equals(m.path("type").asText())
                            || opts.contains("bind")
                            || opts.contains("rbind");
            String source = m.path("source").asText("");
            if (bind && source.startsWith("/") && !isKernelPath(source)) {
                out.add(
                        new RootfsShifter.Volume(
                                m.path("destination").asText(),
                                Path.of(source),
                                opts.contains("rbind")));
            }
        }
        return out;
    }

    private static boolean isKernelPath(String p) {
        return p.equals("/proc")
                || p.startsWith("/proc/")
                || p.equals("/sys")
                || p.startsWith("/sys/")
                || p.equals("/dev")
                || p.startsWith("/dev/");
    }

    /** Replaces the source of the n-th host bind (in {@link #hostBinds} order). */
    public static void setHostBindSources(ObjectNode config, List<Path> sources) {
        int n = 0;
        List<RootfsShifter.Volume> binds = hostBinds(config);
        for (JsonNode m : config.path("mounts")) {
            if (n < binds.size()
                    && m.path("source").asText("").equals(binds.get(n).source().toString())
                    && m.path("destination").asText().equals(binds.get(n).destination())) {
                ((ObjectNode) m).put("source", sources.get(n).toString());
                n++;
            }
        }
    }

    public static void markSystem(ObjectNode config) {
        annotate(config, Annotations.MODE, Annotations.MODE_SYSTEM);
        annotate(config, PREPARED, "true");
    }
}
