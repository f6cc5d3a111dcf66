package dev.nestlet.kernel;

import dev.nestlet.sys.FileCalls;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The kernel features nestletd may use, probed once at its start: the required ones before it
 * serves (it refuses to start without them), the others (a user namespace to spawn, overlays to
 * mount: a second on a busy machine) on a thread of their own meanwhile; whoever asks about one of
 * those first waits for them. Under {@code --kernel-compat VERSION} a feature introduced after
 * VERSION counts as absent even where the probe found it, so that this machine takes the fallbacks
 * an older node would.
 */
public final class KernelFeatures {
    private final KernelVersion running;
    private final Optional<KernelVersion> compat;
    private final Map<KernelFeature, String> requiredRefused;
    private final CompletableFuture<Map<KernelFeature, String>> optionalRefused;

    /**
     * @param refused each feature whose probe failed, with the kernel's answer
     */
    public KernelFeatures(
            KernelVersion running,
            Optional<KernelVersion> compat,
            Map<KernelFeature, String> refused) {
        this(running, compat, refused, CompletableFuture.completedFuture(refused));
    }

    private KernelFeatures(
            KernelVersion running,
            Optional<KernelVersion> compat,
            Map<KernelFeature, String> requiredRefused,
            CompletableFuture<Map<KernelFeature, String>> optionalRefused) {
        this.running = running;
        this.compat = compat;
        Map<KernelFeature, String> copy = new EnumMap<>(KernelFeature.class);
        copy.putAll(requiredRefused);
        this.requiredRefused = Collections.unmodifiableMap(copy);
        this.optionalRefused = optionalRefused;
    }

    /** The running kernel's release, from /proc/sys/kernel/osrelease. */
    public static KernelVersion running() {
        return KernelVersion.parse(FileCalls.readText("/proc/sys/kernel/osrelease"));
    }

    /**
     * Probes the required features now and starts probing the others, for real, on the state dir's
     * filesystem.
     */
    public static KernelFeatures start(
            Path stateDir, ProbeNamespace userns, Optional<KernelVersion> compat)
            throws InterruptedException {
        Map<KernelFeature, String> required = probe(true, stateDir, userns);
        CompletableFuture<Map<KernelFeature, String>> optional = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                optional.complete(probe(false, stateDir, userns));
                            } catch (InterruptedException | RuntimeException e) {
                                optional.completeExceptionally(e);
                            }
                        },
                        "kernel-probes");
        t.setDaemon(true);
        t.start();
        return new KernelFeatures(running(), compat, required, optional);
    }

    private static Map<KernelFeature, String> probe(
            boolean required, Path stateDir, ProbeNamespace userns) throws InterruptedException {
        Map<KernelFeature, String> refused = new EnumMap<>(KernelFeature.class);
        for (KernelFeature f : KernelFeature.values()) {
            if (f.required() != required) {
                continue;
            }
            try {
                KernelProbes.probe(f, stateDir, userns);
            } catch (IOException | RuntimeException e) {
                refused.put(f, e.getMessage() != null ? e.getMessage() : e.toString());
            }
        }
        return refused;
    }

    /**
     * Runs {@code then} once every feature is probed (at once when they are); the future fails with
     * the probing when it failed.
     */
    public CompletableFuture<Void> whenProbed(Runnable then) {
        return optionalRefused.thenRun(then);
    }

    /** The kernel's answer to the probe of {@code f}, or null when it has it. */
    private String refused(KernelFeature f) {
        return f.required() ? requiredRefused.get(f) : optionalRefused.join().get(f);
    }

    /** Whether nestletd may use {@code f}: the kernel has it and no compat version cuts it. */
    public boolean has(KernelFeature f) {
        return refused(f) == null && !cut(f);
    }

    /** True when the compat version predates {@code f}. */
    public boolean cut(KernelFeature f) {
        return compat.isPresent() && !compat.get().atLeast(f.since().major(), f.since().minor());
    }

    /** Features the kernel has that the compat version turns off, oldest first. */
    public List<KernelFeature> cutByCompat() {
        List<KernelFeature> out = new ArrayList<>();
        for (KernelFeature f : KernelFeature.values()) {
            if (refused(f) == null && cut(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /** Why nestletd does without {@code f}, or empty when it uses it. */
    public Optional<String> whyAbsent(KernelFeature f) {
        String why = refused(f);
        if (why != null) {
            return Optional.of("refused: " + why);
        }
        if (cut(f)) {
            return Optional.of(
                    "off under --kernel-compat "
                            + compat.get().majorMinor()
                            + " (Linux "
                            + f.since().majorMinor()
                            + ")");
        }
        return Optional.empty();
    }

    /**
     * A required feature nestletd lacks, with the message it refuses to start with; empty when
     * none.
     */
    public Optional<String> missingRequirement() {
        for (KernelFeature f : KernelFeature.values()) {
            if (f.required() && !has(f)) {
                return Optional.of(
                        "nestletd needs "
                                + f.title()
                                + " (Linux "
                                + f.since().majorMinor()
                                + "+) for "
                                + f.use()
                                + ": "
                                + whyAbsent(f).orElseThrow());
            }
        }
        return Optional.empty();
    }

    public KernelVersion kernel() {
        return running;
    }

    public Optional<KernelVersion> compat() {
        return compat;
    }

    /** Each feature's state: "on", or "off: why; without it: what nestletd does". */
    public Map<String, String> states() {
        Map<String, String> out = new LinkedHashMap<>();
        for (KernelFeature f : KernelFeature.values()) {
            out.put(
                    f.title() + " (" + f.since().majorMinor() + ")",
                    whyAbsent(f).map(w -> "off: " + w + "; " + f.without()).orElse("on"));
        }
        return out;
    }

    /** One line for nestletd's log and status. */
    public String summary() {
        StringBuilder b = new StringBuilder("Linux " + running.release());
        compat.ifPresent(c -> b.append(", --kernel-compat ").append(c.majorMinor()));
        List<String> off = new ArrayList<>();
        for (KernelFeature f : KernelFeature.values()) {
            if (!has(f)) {
                off.add(f.title() + " (" + f.since().majorMinor() + ")");
            }
        }
        b.append(off.isEmpty() ? ": every feature on" : ": without " + String.join(", ", off));
        return b.toString();
    }
}
