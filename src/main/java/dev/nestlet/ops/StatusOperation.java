package dev.nestlet.ops;

import dev.nestlet.daemon.DaemonConfig;
import dev.nestlet.daemon.Version;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import dev.nestlet.api.Operation;
import dev.nestlet.api.Peer;
import dev.nestlet.api.Protocol;
import dev.nestlet.state.Registry;

/** op "status": is the daemon healthy, and how big is it. */
public final class StatusOperation implements Operation<StatusOperation.Params> {
    public record Params() {}

    public record Status(String version, int protocol, long pid, String started, long uptimeSeconds, String socket,
            String stateDir, int containers, long rssKb, int threads, String clients) {}

    private final DaemonConfig config;
    private final Registry registry;
    private final Instant started = Instant.now();
    private final String clients;

    public StatusOperation(DaemonConfig config, Registry registry, String clients) {
        this.config = config;
        this.registry = registry;
        this.clients = clients;
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
    public Object handle(Params p, Peer peer) throws IOException {
        return new Status(Version.VALUE, Protocol.VERSION, ProcessHandle.current().pid(), started.toString(),
                Duration.between(started, Instant.now()).toSeconds(), config.socket().toString(),
                config.stateDir().toString(), registry.size(), rssKb(), Thread.activeCount(), clients);
    }

    /** Resident set size of this process, from /proc/self/status. */
    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
