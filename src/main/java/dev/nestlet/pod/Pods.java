package dev.nestlet.pod;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.idmap.IdRange;
import dev.nestlet.ns.NetworkNamespaces;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.LiveContainer;
import dev.nestlet.state.Registry;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.NsCalls;
import dev.nestlet.sys.Stat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Pods as the unit: the sandbox of a pod holds the pod's id range and user namespace from its start
 * to its release; every other container of the pod joins them (and the pod's network namespace)
 * instead of getting its own.
 */
public final class Pods {
    private final Registry registry;

    public Pods(Registry registry) {
        this.registry = registry;
    }

    /** What a container of a pod takes from its sandbox. */
    public record Sandbox(
            String id, int pid, IdRange range, boolean rangeAdopted, boolean ownNetwork) {
        public String namespace(String type) {
            return "/proc/" + pid + "/ns/" + type;
        }
    }

    /**
     * The running sandbox a (non-sandbox) container of {@code pod} must join; refused when nestlet
     * does not know it: the pod's sandbox did not run through nestlet-runtime, or is gone.
     */
    public Sandbox sandboxOf(String containerId, PodRef pod) {
        Optional<LiveContainer> s =
                pod.sandboxId().isEmpty() ? Optional.empty() : registry.get(pod.sandboxId());
        if (s.isEmpty()) {
            throw new NestletException(
                    ErrorCode.CONFLICT,
                    "container "
                            + containerId
                            + " of pod "
                            + pod.display()
                            + " names sandbox "
                            + (pod.sandboxId().isEmpty() ? "(none)" : pod.sandboxId())
                            + ", which nestlet does not know: a pod's sandbox and containers must all run through "
                            + "nestlet-runtime (the pod's RuntimeClass handler)");
        }
        ContainerRecord r = s.get().record();
        if (!s.get().initAlive() || r.pid() <= 0 || r.idRange() == null) {
            throw new NestletException(
                    ErrorCode.CONFLICT,
                    "container "
                            + containerId
                            + " of pod "
                            + pod.display()
                            + ": its sandbox "
                            + r.id()
                            + " is not running");
        }
        return new Sandbox(
                r.id(),
                r.pid(),
                r.idRange(),
                r.idRangeAdopted(),
                r.annotations().containsKey(PodSpec.CNI_NETNS));
    }

    /**
     * The pod of container {@code r}, as inspect shows it; empty for a container of no pod. The
     * network namespace is read through the container's init while {@code alive}.
     */
    public Optional<PodView> view(ContainerRecord r, boolean alive) {
        return PodRef.of(r.annotations(), r.id())
                .map(
                        pod -> {
                            ContainerRecord s =
                                    pod.sandbox()
                                            ? r
                                            : registry.get(pod.sandboxId())
                                                    .map(LiveContainer::record)
                                                    .orElse(r);
                            String ns = alive && r.pid() > 0 ? "/proc/" + r.pid() + "/ns/" : null;
                            return new PodView(
                                    pod.display(),
                                    pod.sandboxId(),
                                    pod.sandbox(),
                                    s.idRange(),
                                    s.idRangeAdopted(),
                                    ns == null ? null : link(ns + "net"),
                                    ns == null
                                            ? null
                                            : NetworkNamespaces.ownedBy(ns + "net", ns + "user"),
                                    s.annotations().get(PodSpec.CNI_NETNS));
                        });
    }

    private static String link(String path) {
        try {
            return Files.readSymbolicLink(Path.of(path)).toString();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Whether the network namespace at {@code path} belongs to the host's user namespace
     * (nestletd's own): then nobody in a pod's user namespace can configure it.
     */
    public static boolean ownedByHost(String path) {
        try (Fd net = FileCalls.open(path, FileCalls.O_RDONLY, 0);
                Fd owner = NsCalls.owningUserns(net);
                Fd mine = FileCalls.open("/proc/self/ns/user", FileCalls.O_RDONLY, 0)) {
            Stat a = FileCalls.fstat(owner);
            Stat b = FileCalls.fstat(mine);
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
    }

    /**
     * For a sandbox whose network namespace the host owns: the runtime makes a new one inside the
     * pod's user namespace instead, and {@link PodNetwork} moves the CNI interfaces into it.
     * Returns whether it did.
     */
    public static boolean ownNetwork(ObjectNode cfg) {
        String net = PodSpec.namespacePath(cfg, "network");
        if (net == null || !ownedByHost(net)) {
            return false;
        }
        PodSpec.newNamespace(cfg, "network");
        cfg.withObjectProperty("annotations").put(PodSpec.CNI_NETNS, net);
        return true;
    }
}
