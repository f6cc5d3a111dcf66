package dev.nestlet.ops;

import dev.nestlet.api.Peer;
import dev.nestlet.api.Protocol;
import dev.nestlet.api.TextOperation;
import dev.nestlet.api.Version;
import dev.nestlet.kernel.KernelFeatures;
import dev.nestlet.proc.ProcStatus;
import dev.nestlet.state.Registry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** op "status": is the daemon healthy, and how big is it. */
public final class StatusOperation
        implements TextOperation<StatusOperation.Params, StatusOperation.Status> {
    public record Params() {}

    public record Status(
            String version,
            int protocol,
            long pid,
            String started,
            long uptimeSeconds,
            String socket,
            String stateDir,
            int containers,
            long rssKb,
            int threads,
            String clients,
            String kernel,
            Map<String, String> kernelFeatures,
            List<String> seccompListenersLost) {}

    private final Path socket;
    private final Path stateDir;
    private final Registry registry;
    private final Instant started = Instant.now();
    private final String clients;
    private final KernelFeatures kernel;
    private final Supplier<List<String>> lostListeners;

    /**
     * @param lostListeners the running containers whose seccomp listener fd no nestletd serves
     */
    public StatusOperation(
            Path socket,
            Path stateDir,
            Registry registry,
            String clients,
            KernelFeatures kernel,
            Supplier<List<String>> lostListeners) {
        this.socket = socket;
        this.stateDir = stateDir;
        this.registry = registry;
        this.clients = clients;
        this.kernel = kernel;
        this.lostListeners = lostListeners;
    }

    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public String name() {
        return "status";
    }

    @Override
    public Class<Params> params() {
        return Params.class;
    }

    @Override
    public Status result(Params p, Peer peer) throws IOException {
        return new Status(
                Version.VALUE,
                Protocol.VERSION,
                ProcessHandle.current().pid(),
                started.toString(),
                Duration.between(started, Instant.now()).toSeconds(),
                socket.toString(),
                stateDir.toString(),
                registry.size(),
                rssKb(),
                Thread.activeCount(),
                clients,
                kernel.summary(),
                kernel.states(),
                lostListeners.get());
    }

    @Override
    public String text(Status s) {
        String lost =
                s.seccompListenersLost().isEmpty()
                        ? ""
                        : "LOST       seccomp listener of "
                                + String.join(", ", s.seccompListenersLost())
                                + ": mount/umount inside fail with ENOSYS until restarted\n";
        return String.format(
                "nestletd %s (protocol %d), pid %d, up %ds\n"
                        + "socket     %s (%s)\n"
                        + "state dir  %s\n"
                        + "containers %d\n"
                        + "memory     %d kB RSS, %d threads\n"
                        + "kernel     %s\n"
                        + "%s",
                s.version(),
                s.protocol(),
                s.pid(),
                s.uptimeSeconds(),
                s.socket(),
                s.clients(),
                s.stateDir(),
                s.containers(),
                s.rssKb(),
                s.threads(),
                s.kernel(),
                lost);
    }

    /** Resident set size of this process, from /proc/self/status. */
    static long rssKb() throws IOException {
        return ProcStatus.of("self").vmRssKb();
    }
}
