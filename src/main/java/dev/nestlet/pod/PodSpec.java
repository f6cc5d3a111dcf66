package dev.nestlet.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.idmap.IdSpan;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The config.json edits that make a pod's containers one system: pure functions on the JSON tree.
 */
public final class PodSpec {
    /**
     * Set on a sandbox whose network namespace nestlet replaced: the path of the one the CNI
     * plugins configured (the pod's interfaces are moved from there into the sandbox's own at
     * createRuntime, and back at its release).
     */
    public static final String CNI_NETNS = "io.nestlet.pod.cni-netns";

    /**
     * Set on a sandbox whose CRI runtime keeps a directory of the sandbox's own until
     * RemovePodSandbox: that directory. The pod's range is held from the sandbox's stop until it is
     * gone ({@link StoppedPods}).
     */
    public static final String REMOVED_WITH = "io.nestlet.pod.removed-with";

    /**
     * The binds whose source lies in a directory of the sandbox's own, best first: containerd binds
     * the pod's resolv.conf from its sandbox root dir (kept on disk) and /dev/shm from its volatile
     * one (under /run), and removes both at RemovePodSandbox only.
     */
    private static final List<String> SANDBOX_FILES = List.of("/etc/resolv.conf", "/dev/shm");

    private PodSpec() {}

    /** The config's annotations as a map. */
    public static Map<String, String> annotations(ObjectNode config) {
        Map<String, String> out = new HashMap<>();
        config.path("annotations")
                .properties()
                .forEach(
                        e -> {
                            if (e.getValue().isTextual()) {
                                out.put(e.getKey(), e.getValue().asText());
                            }
                        });
        return out;
    }

    /** The path of namespace {@code type} the config joins, or null (none, or a new one). */
    public static String namespacePath(ObjectNode config, String type) {
        for (JsonNode ns : config.path("linux").path("namespaces")) {
            if (type.equals(ns.path("type").asText())) {
                String p = ns.path("path").asText("");
                return p.isEmpty() ? null : p;
            }
        }
        return null;
    }

    /**
     * Namespace {@code type} joined at {@code path} (added if the config had none of that type).
     */
    public static void joinNamespace(ObjectNode config, String type, String path) {
        ArrayNode list = config.withObjectProperty("linux").withArray("namespaces");
        for (JsonNode ns : list) {
            if (type.equals(ns.path("type").asText())) {
                ((ObjectNode) ns).put("path", path);
                return;
            }
        }
        list.addObject().put("type", type).put("path", path);
    }

    /** Namespace {@code type} made new by the runtime instead of joined. */
    public static void newNamespace(ObjectNode config, String type) {
        for (JsonNode ns : config.path("linux").path("namespaces")) {
            if (type.equals(ns.path("type").asText())) {
                ((ObjectNode) ns).remove("path");
            }
        }
    }

    /**
     * The directory of sandbox {@code sandboxId}'s own that a bind of its config comes from (a
     * source whose parent is named after the sandbox, as containerd's {@code
     * .../sandboxes/ID/resolv.conf} and {@code .../sandboxes/ID/shm}), or null when the runtime
     * lays its sandboxes out otherwise (CRI-O's {@code .../ID/userdata/}, a hand-made pod, a pod
     * sharing the host's IPC and an older containerd that binds only /dev/shm).
     */
    public static String sandboxDir(ObjectNode config, String sandboxId) {
        for (String target : SANDBOX_FILES) {
            for (JsonNode m : config.path("mounts")) {
                Path parent = parentOf(m.path("source").asText(""));
                if (target.equals(m.path("destination").asText())
                        && parent != null
                        && parent.isAbsolute()
                        && parent.getFileName() != null
                        && parent.getFileName().toString().equals(sandboxId)) {
                    return parent.toString();
                }
            }
        }
        return null;
    }

    /** The parent of path {@code source}, or null (none, or no path at all: a NUL in it). */
    private static Path parentOf(String source) {
        try {
            return Path.of(source).getParent();
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /**
     * Refuses a mapping that gives the container host root: a system container gets every
     * capability inside its user namespace, which must never own host uid or gid 0. Returns the
     * message, or null when the mapping is fine.
     */
    public static String mapsHostRoot(List<IdSpan> lines) {
        for (IdSpan l : lines) {
            if (l.start() <= 0 && l.start() + l.count() > 0) {
                return "its id mapping ("
                        + (l.uids() ? "uids " : "gids ")
                        + l.start()
                        + "+"
                        + l.count()
                        + ") contains host "
                        + (l.uids() ? "uid" : "gid")
                        + " 0: nestlet never runs a system "
                        + "container whose user namespace owns host root";
            }
        }
        return null;
    }
}
