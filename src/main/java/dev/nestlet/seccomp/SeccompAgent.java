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

    /** What the names of everything this agent keeps in the fd store start with. */
    public static final String STORE_PREFIX = StoreName.PREFIX;

    private final NotifySupervisor supervisor;
    private final NotifyListener listener;
    private final FdStore store;
    private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis() * 1000);

    /**
     * Every listener fd a runtime hands over is also given to {@code store} (and removed from it
     * when its last task is gone), and the runtime's connection with it until then, so that it
     * outlives this nestletd: see {@link #adopt}.
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
            this.listener = new NotifyListener(stateDir.resolve(SOCKET), this::accepted);
        } catch (IOException | RuntimeException e) {
            supervisor.close();
            throw e;
        }
        LOG.info("seccomp agent listening on " + listener.path());
    }

    /**
     * A runtime connected: the connection is kept in the fd store before anything is read from it,
     * and the message is only peeked until its listener fd is kept too, so that at every moment one
     * of the two is in the store (see {@link PeekedMessage}).
     */
    private void accepted(Fd conn) {
        StoreName kept = StoreName.connection(sequence.incrementAndGet());
        boolean keep = store.keeps();
        if (keep) {
            // The runtime closes its end right after sending: kept hung up, unread message and all.
            store.putThroughHangUp(kept.toString(), conn);
        }
        try {
            receive(conn, kept.seq());
        } finally {
            if (keep) {
                store.remove(kept.toString());
            }
        }
    }

    /**
     * Reads the message on {@code conn} (whose copy in the store, if any, the caller removes),
     * keeps its listener fd under the same {@code seq} and serves it. A malformed message is logged
     * and dropped.
     *
     * @return whether a listener fd is served
     */
    private boolean receive(Fd conn, long seq) {
        PeekedMessage m;
        try {
            m = PeekedMessage.peek(conn);
        } catch (RuntimeException e) {
            LOG.warning("seccomp: refused a listener connection: " + e.getMessage());
            return false;
        }
        CrashPoint.SECCOMP_LISTENER_RECEIVED.reached();
        String name = null;
        if (store.keeps()) {
            name = StoreName.listener(m.state().pid(), seq, m.state().containerId()).toString();
            store.put(name, m.listener());
        }
        CrashPoint.SECCOMP_LISTENER_KEPT.reached();
        supervisor.serve(m.listener(), m.state(), name);
        // Served first: a connection that cannot be read to its end is dropped all the same, and
        // its listener fd must not be lost over it.
        try {
            m.consume(conn);
        } catch (RuntimeException e) {
            LOG.fine("seccomp: cannot consume the message of " + name + ": " + e.getMessage());
        }
        return true;
    }

    /**
     * Serves the listener fds a previous nestletd left in the fd store ({@code kept}, by name; the
     * others are not looked at), each for the container its name says, whose record the registry
     * holds ({@code initPidOf}: container id -> its init's pid, or 0 if unknown). First restarts
     * the calls that nestletd took and never answered, looked for among those containers' {@code
     * threads} (see {@link LostNotifications}), unless {@code handedOver}: a nestletd that handed
     * over answered all it took. Then reads the runtimes' connections it kept and had not finished
     * with: one whose listener fd is kept too (same sequence number) is done with; any other still
     * holds its message, whose listener fd is served as if it had just arrived.
     *
     * @return how many listener fds were taken over
     */
    public int adopt(
            Map<String, Fd> kept,
            java.util.function.ToIntFunction<String> initPidOf,
            ContainerThreads threads,
            boolean handedOver) {
        Map<String, ProcessState> states = new LinkedHashMap<>();
        Map<String, StoreName> connections = new LinkedHashMap<>();
        Set<Long> keptSeqs = new HashSet<>();
        Set<Integer> inits = new HashSet<>();
        for (String name : kept.keySet()) {
            if (!name.startsWith(STORE_PREFIX)) {
                continue;
            }
            StoreName parsed = StoreName.parse(name).orElse(null);
            if (parsed == null) {
                LOG.warning("seccomp: a kept fd has a name not of ours: " + name);
                kept.get(name).close();
                store.remove(name);
                continue;
            }
            if (parsed.connection()) {
                connections.put(name, parsed);
                continue;
            }
            keptSeqs.add(parsed.seq());
            int init = initPidOf.applyAsInt(parsed.containerId());
            if (init > 0) {
                inits.add(init);
            }
            states.put(
                    name,
                    new ProcessState(
                            "",
                            List.of("seccompFd"),
                            parsed.pid(),
                            "",
                            new OciState("", parsed.containerId(), "running", init, "", Map.of()),
                            0));
        }
        if (states.isEmpty() && connections.isEmpty()) {
            return 0;
        }
        if (!handedOver && !states.isEmpty()) {
            LostNotifications.restart(inits, threads);
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
        int reread = 0;
        for (Map.Entry<String, StoreName> c : connections.entrySet()) {
            try (Fd conn = kept.get(c.getKey())) {
                if (!keptSeqs.contains(c.getValue().seq()) && receive(conn, c.getValue().seq())) {
                    reread++;
                }
            } finally {
                store.remove(c.getKey());
            }
        }
        LOG.info(
                "seccomp: took over "
                        + states.size()
                        + " listener fd(s) kept by "
                        + store.describe()
                        + (connections.isEmpty()
                                ? ""
                                : ", and "
                                        + reread
                                        + " from "
                                        + connections.size()
                                        + " kept connection(s) not read to the end"));
        return states.size() + reread;
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

    /** Listener fds being served now for the processes of container {@code containerId}. */
    public int listenersOf(String containerId) {
        return supervisor.sessionsOf(containerId);
    }

    /** Whether the listener fd of the process {@code pid} (host pid) is being served now. */
    public boolean servesProcess(int pid) {
        return supervisor.servesProcess(pid);
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
