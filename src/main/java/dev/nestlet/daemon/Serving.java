package dev.nestlet.daemon;

import dev.nestlet.api.ApiServer;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.fdstore.FdStore;
import dev.nestlet.lifecycle.Reconciler;
import dev.nestlet.metrics.MetricsEndpoint;
import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.seccomp.SeccompAgent;
import dev.nestlet.state.Registry;
import dev.nestlet.vfs.VirtualFiles;
import java.nio.file.Path;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * What a serving nestletd holds, and its two ways to stop: at exit (SIGTERM), and handing over to a
 * new nestletd ({@code --take-over}), after which the exit leaves alone what the new one now owns
 * (the socket's path, the seccomp socket, systemd's view of the service).
 */
record Serving(
        ApiServer server,
        ThreadPoolExecutor executor,
        Reconciler reconciler,
        SystemdWatchdog watchdog,
        SystemdNotify systemd,
        SeccompAgent seccomp,
        VirtualFiles vfs,
        MetricsEndpoint endpoint,
        FdStore store,
        NamespaceWorkers ns,
        Registry registry,
        AtomicBoolean handedOver) {
    private static final Logger LOG = Logger.getLogger(Serving.class.getName());

    /** How long the requests already running may take to finish before the hand-over goes on. */
    private static final long REQUESTS_MILLIS = 10_000;

    /** How long the old nestletd waits for the new one to serve before it exits anyway. */
    private static final long NEW_SERVER_MILLIS = 60_000;

    /**
     * Stops serving for a nestletd that takes over: no new connection, the requests running
     * finished (but the hand-over's own), the reconciler and watchdog stopped, seccomp answers in
     * flight sent, FUSE readers leaving; nothing kept is closed. This process then exits once the
     * new one serves the socket.
     *
     * @return this process's pid
     */
    long handOver(Path socket) throws InterruptedException {
        if (!store.sharedWhileRunning()) {
            throw new NestletException(
                    ErrorCode.CONFLICT,
                    "cannot hand over: "
                            + store.describe()
                            + " cannot give the kept fds to a second nestletd (use --fd-store"
                            + " keeper)");
        }
        LOG.info("handing over to a new nestletd; containers keep running");
        server.release();
        long end = System.nanoTime() + REQUESTS_MILLIS * 1_000_000;
        // getActiveCount counts this request too.
        while (executor.getActiveCount() > 1 && System.nanoTime() < end) {
            Thread.sleep(2);
        }
        watchdog.close();
        reconciler.close();
        seccomp.handOver();
        vfs.handOver();
        if (endpoint != null) {
            endpoint.close();
        }
        handedOver.set(true);
        Thread exit =
                new Thread(
                        () -> {
                            try {
                                TakeOver.awaitNewServer(socket, NEW_SERVER_MILLIS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            LOG.info("handed over; exiting");
                            // No shutdown hooks: nothing is left to stop, and until this process
                            // is gone the FUSE requests its readers took wait for their resend.
                            Runtime.getRuntime().halt(0);
                        },
                        "handed-over");
        exit.start();
        return ProcessHandle.current().pid();
    }

    /** At exit: everything stopped; kept fds stay with the store. */
    void shutdown() {
        if (handedOver.get()) {
            executor.shutdownNow();
            store.close();
            ns.close();
            return;
        }
        LOG.info(
                "stopping; containers keep running"
                        + (store.keeps()
                                ? " and "
                                        + store.describe()
                                        + " keeps their virtual files and trapped calls waiting"
                                        + " for the next nestletd"
                                : ""));
        systemd.stopping();
        watchdog.close();
        reconciler.close();
        seccomp.close();
        server.close();
        if (endpoint != null) {
            endpoint.close();
        }
        executor.shutdownNow();
        if (!store.keeps()) {
            vfs.detachAll(registry, ns);
        }
        vfs.close();
        store.close();
        ns.close();
    }
}
