package dev.nestlet.vfs;

import dev.nestlet.proc.ProcStatus;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.SysException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Samples every container's threads each {@link LoadAverage#SAMPLE_SECONDS} seconds on one thread
 * of its own, so that reading /proc/loadavg costs no more than formatting three numbers.
 */
final class LoadSampler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LoadSampler.class.getName());

    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "load-sampler");
                        t.setDaemon(true);
                        return t;
                    });

    LoadSampler(Supplier<Iterable<ContainerView>> views) {
        var unused = // runs until the timer is shut down
                timer.scheduleWithFixedDelay(
                        () -> {
                            for (ContainerView v : views.get()) {
                                try {
                                    sample(v);
                                } catch (RuntimeException e) {
                                    LOG.log(Level.FINE, "load sample of " + v.id() + " failed", e);
                                }
                            }
                        },
                        0,
                        LoadAverage.SAMPLE_SECONDS,
                        TimeUnit.SECONDS);
    }

    static void sample(ContainerView view) {
        List<Integer> threads = view.cgroup().threads();
        int active = 0;
        int highest = 0;
        for (int tid : threads) {
            char state = state(tid);
            if (state == 'R' || state == 'D') {
                active++;
            }
            highest = Math.max(highest, tid);
        }
        view.load(
                view.load()
                        .next(
                                active,
                                threads.size(),
                                highest == 0 ? 0 : pidInOwnNamespace(highest)));
    }

    /**
     * Field 3 of /proc/TID/stat, after the command name (which may hold ')'); '?' when the thread
     * is gone.
     */
    private static char state(int tid) {
        try {
            String s = FileCalls.readText("/proc/" + tid + "/stat");
            return s.charAt(s.lastIndexOf(')') + 2);
        } catch (SysException | StringIndexOutOfBoundsException e) {
            return '?';
        }
    }

    /**
     * The last NSpid of /proc/TID/status: the id in the innermost pid namespace, the container's
     * own.
     */
    private static int pidInOwnNamespace(int tid) {
        try {
            return new ProcStatus(FileCalls.readText("/proc/" + tid + "/status")).innermostNsPid();
        } catch (RuntimeException e) { // gone, or a kernel without NSpid
            return 0;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
