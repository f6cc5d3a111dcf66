package dev.nestlet.seccomp;

import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.sys.SeccompCalls;
import java.io.IOException;
import java.nio.file.Path;
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

    private final NotifySupervisor supervisor;
    private final NotifyListener listener;

    /**
     * @param known container id -> its init and the paths inside it that nestlet mounted and that
     *     must stay; null for containers nestlet does not know
     */
    public SeccompAgent(
            Path stateDir,
            NamespaceWorkers workers,
            Function<String, KnownContainer> known,
            int threads)
            throws IOException {
        SeccompCalls.checkSizes();
        this.supervisor = new NotifySupervisor(new NotificationHandler(workers), known, threads);
        try {
            this.listener = new NotifyListener(stateDir.resolve(SOCKET), supervisor::serve);
        } catch (IOException | RuntimeException e) {
            supervisor.close();
            throw e;
        }
        LOG.info("seccomp agent listening on " + listener.path());
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

    @Override
    public void close() {
        listener.close();
        supervisor.close();
    }
}
