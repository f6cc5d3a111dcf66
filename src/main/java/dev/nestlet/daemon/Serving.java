package dev.nestlet.daemon;

import dev.nestlet.api.ApiServer;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.fdstore.FdStore;
import dev.nestlet.lifecycle.Reconciler;
import dev.nestlet.metrics.MetricsEndpoint;
import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.ops.HandOverOperation;
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
        ServingLock lock,
        AtomicBoolean handedOver) {
    private static final Logger LOG = Logger.getLogger(Serving.class.getName());

    /** How long the requests already running may take to finish before the hand-over goes on. */
    private static final long REQUESTS_MILLIS = 10_000;

    /** How long the old nestletd waits for the new one to serve before it exits anyway. */
    private static final long NEW_SERVER_MILLIS = 60_000;

    /**
     * Stops serving for a nestletd that takes over, whose socket is bound at {@code beside}: that
     * socket renamed over the path, the connections made before answered (but the hand-over's own),
     * the reconciler and watchdog stopped, seccomp answers in flight sent, FUSE readers leaving;
     * nothing kept is closed. This process then exits once the new one serves the socket. Logs when
     * each step ended: until the seccomp and FUSE steps, containers are served; from them, they
     * wait for the new nestletd.
     *
     * @return this process's pid and the fd of its serving lock, for the new one to duplicate
     */
    HandOverOperation.Result handOver(Path socket, Path beside) throws Exception {
        if (!store.sharedWhileRunning()) {
            throw new NestletException(
                    ErrorCode.CONFLICT,
                    "cannot hand over: "
                            + store.describe()
                            + " cannot give the kept fds to a second nestletd (use --fd-store"
                            + " keeper)");
        }
        LOG.info("handing over to a new nestletd; containers keep running");
        StartClock steps = StartClock.fromNow();
        server.release(beside);
        steps.mark("socket renamed, backlog accepted");
        // The hand-over's own connection stays busy until answered.
        if (!server.awaitIdle(1, REQUESTS_MILLIS)) {
            LOG.warning("requests still running after " + REQUESTS_MILLIS + " ms; handing over");
        }
        steps.mark("requests answered");
        watchdog.close();
        reconciler.close();
        steps.mark("reconciler stopped");
        seccomp.handOver();
        steps.mark("seccomp stopped");
        vfs.handOver();
        steps.mark("FUSE stopped");
        if (endpoint != null) {
            endpoint.close();
        }
        steps.mark("metrics closed");
        LOG.info("handed over; ms since asked, after each step: " + steps.phases());
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
        return new HandOverOperation.Result(ProcessHandle.current().pid(), lock.fd());
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
