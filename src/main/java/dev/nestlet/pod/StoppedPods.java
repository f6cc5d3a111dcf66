package dev.nestlet.pod;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.host.AtomicFiles;
import dev.nestlet.json.Json;
import dev.nestlet.state.ContainerRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Pods whose sandbox stopped but which the CRI runtime has not removed yet. The kubelet stops a
 * sandbox (StopPodSandbox) long before it removes it (RemovePodSandbox), and until then the pod's
 * volumes, emptyDirs and the sandbox's files still carry owners of the pod's range: handing that
 * range to another pod would give it those files. So the range a sandbox got from the pool is held
 * from its stop until the directory containerd keeps for the sandbox ({@link PodSpec#REMOVED_WITH})
 * is gone; RemovePodSandbox removes it, and the next reconciler sweep (or the one at nestletd's
 * start) frees the range.
 *
 * <p>One file per stopped pod, {@code STATE/pods/SANDBOX.stopped}, written before the sandbox's
 * record goes: a nestletd restarted between the stop and the removal still holds the range. A
 * sandbox whose runtime keeps no such directory (CRI-O, a hand-made pod), or whose range is the
 * kubelet's own ({@code hostUsers: false}: the kubelet hands it out again only after the removal),
 * releases at its stop, as before.
 */
public final class StoppedPods {
    private static final Logger LOG = Logger.getLogger(StoppedPods.class.getName());
    private static final ObjectMapper JSON = Json.mapper();
    private static final String SUFFIX = ".stopped";

    private final Path dir;
    private final AtomicBoolean unknownLayoutLogged = new AtomicBoolean();

    public StoppedPods(Path stateDir) {
        this.dir = stateDir.resolve("pods");
    }

    private Path file(String id) {
        return dir.resolve(id + SUFFIX);
    }

    /**
     * At a sandbox's release (its poststop, or the reconciler's when it died unseen): whether the
     * range of {@code rec} stays held until the pod is removed. If so, the pod is recorded here
     * first.
     */
    public boolean holdAtStop(ContainerRecord rec) throws IOException {
        Optional<PodRef> pod = PodRef.of(rec.annotations(), rec.id());
        if (pod.isEmpty()
                || !pod.get().sandbox()
                || rec.idRange() == null
                || rec.idRangeAdopted()) {
            return false;
        }
        String removedWith = rec.annotations().get(PodSpec.REMOVED_WITH);
        if (removedWith == null) {
            if (!unknownLayoutLogged.getAndSet(true)) {
                LOG.warning(
                        "pod "
                                + pod.get().display()
                                + " ("
                                + pod.get().engine()
                                + "): its sandbox has no directory of its own that nestlet knows"
                                + " to be removed at RemovePodSandbox, so its range is released"
                                + " when the sandbox stops; so are those of other such pods"
                                + " (logged once)");
            }
            return false;
        }
        if (!Files.isDirectory(Path.of(removedWith))) {
            return false;
        }
        Files.createDirectories(dir);
        StoppedPod p =
                new StoppedPod(
                        rec.id(), pod.get().display(), removedWith, Instant.now().toString());
        AtomicFiles.replace(
                file(rec.id()), dir.resolve(rec.id() + SUFFIX + ".tmp"), JSON.writeValueAsBytes(p));
        LOG.info(
                "pod "
                        + p.pod()
                        + " stopped: its range "
                        + rec.idRange()
                        + " is held until RemovePodSandbox removes "
                        + removedWith);
        return true;
    }

    /**
     * Whether {@code sandboxId} is a stopped pod that is not removed yet (its directory is still
     * there).
     */
    public boolean held(String sandboxId) throws IOException {
        return get(sandboxId).map(p -> Files.exists(Path.of(p.removedWith()))).orElse(false);
    }

    /** Forgets a pod whose range was freed; harmless when it is not here. */
    public void forget(String sandboxId) throws IOException {
        Optional<StoppedPod> p = get(sandboxId);
        Files.deleteIfExists(file(sandboxId));
        if (p.isPresent()) {
            LOG.info("pod " + p.get().pod() + " removed: its range is released");
        }
    }

    /** The stopped pods recorded here, by sandbox id (for the reconciler). */
    public Set<String> ids() throws IOException {
        Set<String> ids = new TreeSet<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(SUFFIX))
                        .forEach(n -> ids.add(n.substring(0, n.length() - SUFFIX.length())));
            }
        }
        return ids;
    }

    /** Every stopped pod recorded here, oldest stop first (for {@code nestletctl allocations}). */
    public List<StoppedPod> all() throws IOException {
        List<StoppedPod> out = new ArrayList<>();
        for (String id : ids()) {
            get(id).ifPresent(out::add);
        }
        out.sort(Comparator.comparing(StoppedPod::stopped).thenComparing(StoppedPod::sandboxId));
        return out;
    }

    private Optional<StoppedPod> get(String sandboxId) throws IOException {
        try {
            return Optional.of(
                    JSON.readValue(Files.readAllBytes(file(sandboxId)), StoppedPod.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
