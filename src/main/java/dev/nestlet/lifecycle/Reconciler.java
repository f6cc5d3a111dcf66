package dev.nestlet.lifecycle;

import dev.nestlet.proc.ProcStat;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.LiveContainer;
import dev.nestlet.state.Registry;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.PidCalls;
import dev.nestlet.sys.SysException;
import java.util.List;
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

    /** Reloads persisted containers, re-attaches the live ones, then sweeps once. */
    public void recover() throws Exception {
        for (ContainerRecord rec : registry.store().loadAll()) {
            registry.put(rec, reopen(rec));
        }
        LOG.info("recovered " + registry.size() + " container record(s)");
        for (LiveContainer c : registry.all()) {
            try {
                hooks.reattach(c.record().id());
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

    /** A pidfd of the record's init if that very process still runs, else null. */
    private static Fd reopen(ContainerRecord rec) {
        Fd pidfd;
        try {
            pidfd = PidCalls.pidfdOpen(rec.pid());
        } catch (SysException e) {
            return null;
        }
        boolean same =
                ProcStat.of(rec.pid()).map(s -> s.startTime() == rec.pidStartTime()).orElse(false);
        if (!same) {
            pidfd.close();
            return null;
        }
        return pidfd;
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
