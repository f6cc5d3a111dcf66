package dev.nestlet.seccomp;

import dev.nestlet.fault.CrashPoint;
import dev.nestlet.fdstore.FdStore;
import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.oci.OciState;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.SeccompCalls;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * nestletd's seccomp notify agent: the listener socket that runtimes send listener fds to, and the
 * supervisor that answers every notification. Give containers {@link #listenerPath()} through
 * {@link SeccompProfiles#forSystemContainer}.
 */
public final class SeccompAgent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SeccompAgent.class.getName());

    /** Where the socket lives below nestletd's state dir. */
    public static final String SOCKET = "run/seccomp.sock";

    /** The names listener fds are stored under: {@code seccomp/PID/SEQ/CONTAINER}. */
    public static final String STORE_PREFIX = "seccomp/";

    private final NotifySupervisor supervisor;
    private final NotifyListener listener;
    private final FdStore store;
    private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis() * 1000);

    /**
     * Every listener fd a runtime hands over is also given to {@code store} (and removed from it
     * when its last task is gone), so that it outlives this nestletd: see {@link #adopt}.
     *
     * @param known container id -> its init and the paths inside it that nestlet mounted and that
     *     must stay; null for containers nestlet does not know
     * @param procs where the emulated {@code mount -t proc} gets its proc contexts
     */
    public SeccompAgent(
            Path stateDir,
            NamespaceWorkers workers,
            Function<String, KnownContainer> known,
            int threads,
            int queuePerContainer,
            FdStore store,
            ProcContexts procs)
            throws IOException {
        SeccompCalls.checkSizes();
        this.store = store;
        this.supervisor =
                new NotifySupervisor(
                        new NotificationHandler(workers, procs),
                        known,
                        threads,
                        queuePerContainer,
                        store::remove);
        try {
            this.listener = new NotifyListener(stateDir.resolve(SOCKET), this::received);
        } catch (IOException | RuntimeException e) {
            supervisor.close();
            throw e;
        }
        LOG.info("seccomp agent listening on " + listener.path());
    }

    private void received(Fd fd, ProcessState state) {
        CrashPoint.SECCOMP_LISTENER_RECEIVED.reached();
        String name = null;
        if (store.keeps()) {
            name =
                    STORE_PREFIX
                            + state.pid()
                            + "/"
                            + sequence.incrementAndGet()
                            + "/"
                            + state.containerId();
            store.put(name, fd);
        }
        CrashPoint.SECCOMP_LISTENER_KEPT.reached();
        supervisor.serve(fd, state, name);
    }

    /**
     * Serves the listener fds a previous nestletd left in the fd store ({@code kept}, by name; the
     * others are not looked at), each for the container its name says, whose record the registry
     * holds ({@code initPidOf}: container id -> its init's pid, or 0 if unknown). First restarts
     * the calls that nestletd took and never answered (see {@link LostNotifications}), unless
     * {@code handedOver}: a nestletd that handed over answered all it took.
     *
     * @return how many listener fds were taken over
     */
    public int adopt(
            Map<String, Fd> kept,
            java.util.function.ToIntFunction<String> initPidOf,
            boolean handedOver) {
        Map<String, ProcessState> states = new LinkedHashMap<>();
        Set<Integer> inits = new HashSet<>();
        for (String name : kept.keySet()) {
            if (!name.startsWith(STORE_PREFIX)) {
                continue;
            }
            String[] parts = name.substring(STORE_PREFIX.length()).split("/", 3);
            int pid;
            try {
                pid = Integer.parseInt(parts[0]);
            } catch (RuntimeException e) {
                pid = -1;
            }
            if (parts.length != 3 || pid < 0) {
                LOG.warning("seccomp: a kept fd has a name not of ours: " + name);
                kept.get(name).close();
                store.remove(name);
                continue;
            }
            int init = initPidOf.applyAsInt(parts[2]);
            if (init > 0) {
                inits.add(init);
            }
            states.put(
                    name,
                    new ProcessState(
                            "",
                            List.of("seccompFd"),
                            pid,
                            "",
                            new OciState("", parts[2], "running", init, "", Map.of()),
                            0));
        }
        if (states.isEmpty()) {
            return 0;
        }
        if (!handedOver) {
            LostNotifications.restart(inits);
        }
        states.forEach(
                (name, state) -> {
                    try {
                        supervisor.serve(kept.get(name), state, name);
                    } catch (RuntimeException e) {
                        LOG.warning("seccomp: cannot serve kept " + name + ": " + e.getMessage());
                        store.remove(name);
                    }
                });
        LOG.info(
                "seccomp: took over "
                        + states.size()
                        + " listener fd(s) kept by "
                        + store.describe());
        return states.size();
    }

    public Path listenerPath() {
        return listener.path();
    }

    /**
     * Listener fds being served now (one per container process that loaded the filter, and alive).
     */
    public int sessions() {
        return supervisor.sessions();
    }

    /**
     * Stops taking notifications and listener fds for a nestletd that takes over: the answers in
     * flight are sent first, the listener fds stay open in the fd store (and in the new nestletd),
     * and what is not taken yet waits in the kernel for the new one.
     */
    public void handOver() {
        listener.close();
        supervisor.close(true);
    }

    @Override
    public void close() {
        listener.close();
        supervisor.close(store.keeps());
    }
}
