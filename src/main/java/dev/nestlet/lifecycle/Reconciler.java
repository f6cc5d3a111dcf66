package dev.nestlet.lifecycle;

import dev.nestlet.oci.BundleConfig;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.LiveContainer;
import dev.nestlet.state.Registry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Brings the registry back in line with the machine: at start-up it reloads what a previous
 * nestletd left (re-opening pidfds of inits that still run, same pid and start time); then,
 * periodically, it releases containers whose init is gone without a poststop and lets features
 * remove host leftovers of containers nobody knows.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());

    private final Registry registry;
    private final HookService hooks;
    private final List<Feature> features;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "reconciler");
                        t.setDaemon(true);
                        return t;
                    });

    public Reconciler(Registry registry, HookService hooks, List<Feature> features) {
        this.registry = registry;
        this.hooks = hooks;
        this.features = List.copyOf(features);
    }

    /**
     * Reloads persisted containers, re-attaches the live ones, then sweeps once. What {@code ahead}
     * read of a record file that is still the same is used as it is; files created or changed since
     * are read now, and what it read of files removed since is dropped.
     */
    public void recover(RecordPreload ahead) throws Exception {
        Map<String, BundleConfig> configs = new HashMap<>();
        int readNow = 0;
        for (Map.Entry<String, byte[]> f : registry.store().readAll().entrySet()) {
            RecordPreload.Entry e = ahead.take(f.getKey(), f.getValue());
            if (e != null) {
                registry.load(e.rec(), e.pidfd());
                if (e.config() != null) {
                    configs.put(e.rec().id(), e.config());
                }
                continue;
            }
            Optional<ContainerRecord> rec =
                    registry.store().parseOrSetAside(f.getKey(), f.getValue());
            if (rec.isPresent()) {
                registry.load(rec.get(), RecordPreload.reopen(rec.get()));
                readNow++;
            }
        }
        int dropped = ahead.closeRest();
        LOG.info(
                "recovered "
                        + registry.size()
                        + " container record(s); "
                        + readNow
                        + " read now (new or changed since read ahead), "
                        + dropped
                        + " read ahead and since changed or removed");
        for (LiveContainer c : registry.all()) {
            try {
                hooks.reattach(c.record().id(), configs.get(c.record().id()));
            } catch (Exception e) {
                LOG.warning("cannot re-attach " + c.record().id() + ": " + e.getMessage());
            }
        }
        sweep();
    }

    public void start(long periodMillis) {
        var unused = // runs until the timer is shut down
                timer.scheduleWithFixedDelay(
                        () -> {
                            try {
                                sweep();
                            } catch (Exception e) {
                                LOG.log(Level.WARNING, "reconcile failed", e);
                            }
                        },
                        periodMillis,
                        periodMillis,
                        TimeUnit.MILLISECONDS);
    }

    public void sweep() throws Exception {
        for (LiveContainer c : registry.all()) {
            if (!c.initAlive()) {
                try {
                    hooks.releaseIfGone(c.record().id());
                } catch (Exception e) {
                    LOG.warning("cannot release " + c.record().id() + " yet: " + e.getMessage());
                }
            }
        }
        for (Feature f : features) {
            for (String id : f.leftoverIds()) {
                // Under the id's lock: a container registering right now is never mistaken for an
                // orphan.
                synchronized (registry.lockFor(id)) {
                    if (registry.get(id).isEmpty()) {
                        f.removeLeftovers(id);
                    }
                }
            }
        }
    }

    /**
     * Stops sweeping and waits (up to 10 s) for a sweep in flight to end: a nestletd that hands
     * over must not release a container after the new one has loaded its records.
     */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warning("a sweep still runs 10 s after the reconciler stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
