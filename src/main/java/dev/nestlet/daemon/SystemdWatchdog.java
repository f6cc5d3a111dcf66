package dev.nestlet.daemon;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.logging.Logger;

/**
 * Pings systemd's watchdog (WatchdogSec= of the unit) every half interval, but only after the
 * socket answered a request ({@link SocketProbe}): a nestletd whose event loop or request threads
 * hang misses its pings and systemd restarts it (containers keep running, the fd store keeps their
 * virtual files and trapped calls). Each tick also refreshes the {@code STATUS=} line with the
 * number of containers served.
 */
final class SystemdWatchdog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SystemdWatchdog.class.getName());

    private final ScheduledExecutorService timer;

    private SystemdWatchdog(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Starts the pings when systemd asks for them; else a watchdog that does nothing. */
    static SystemdWatchdog start(
            SystemdNotify notify,
            Function<Duration, SocketProbe> probeFor,
            IntSupplier containers) {
        return notify.watchdogInterval()
                .map(
                        every -> {
                            SocketProbe probe = probeFor.apply(every);
                            boolean[] failing = {false};
                            LOG.info(
                                    "systemd watchdog: pinging every "
                                            + every.toMillis()
                                            + " ms while the socket answers");
                            return new SystemdWatchdog(
                                    schedule(
                                            () ->
                                                    failing[0] =
                                                            tick(
                                                                    notify,
                                                                    probe,
                                                                    containers,
                                                                    failing[0]),
                                            every));
                        })
                .orElseGet(() -> new SystemdWatchdog(null));
    }

    /**
     * The pings of a standby ({@code nestletd --standby}) while it waits for the serving lock: its
     * socket holds requests until it serves, so nothing is probed; a standby alive is a standby
     * that works. {@code status} is the {@code STATUS=} line.
     */
    static SystemdWatchdog standingBy(SystemdNotify notify, String status) {
        return notify.watchdogInterval()
                .map(
                        every ->
                                new SystemdWatchdog(
                                        schedule(
                                                () -> {
                                                    notify.status(status);
                                                    notify.watchdog();
                                                },
                                                every)))
                .orElseGet(() -> new SystemdWatchdog(null));
    }

    private static ScheduledExecutorService schedule(Runnable tick, Duration every) {
        ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "systemd-watchdog");
                            t.setDaemon(true);
                            return t;
                        });
        // A tick that threw would end the schedule for good: nothing may escape it.
        var unused =
                timer.scheduleWithFixedDelay(
                        () -> {
                            try {
                                tick.run();
                            } catch (RuntimeException e) {
                                LOG.warning("watchdog tick failed: " + e);
                            }
                        },
                        0,
                        every.toMillis(),
                        TimeUnit.MILLISECONDS);
        return timer;
    }

    /** Pings when the socket answers; returns whether it failed. */
    private static boolean tick(
            SystemdNotify notify, SocketProbe probe, IntSupplier containers, boolean wasFailing) {
        String failure = probe.failure();
        if (failure.isEmpty()) {
            notify.status(serving(containers.getAsInt()));
            notify.watchdog();
            if (wasFailing) {
                LOG.info("socket answers again; watchdog pings resumed");
            }
            return false;
        }
        notify.status("not answering: " + failure);
        if (!wasFailing) {
            LOG.warning("watchdog ping withheld: " + failure);
        }
        return true;
    }

    static String serving(int containers) {
        return "serving " + containers + " container" + (containers == 1 ? "" : "s");
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
