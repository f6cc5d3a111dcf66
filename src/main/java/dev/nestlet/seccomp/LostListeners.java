package dev.nestlet.seccomp;

import dev.nestlet.proc.ProcStatus;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.LiveContainer;
import dev.nestlet.state.Registry;
import dev.nestlet.state.Stage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Running containers whose init carries nestlet's notify filter while nestletd serves no listener
 * fd of it: a nestletd lost it (killed between reading and storing it, or run without an fd store),
 * so trapped calls ({@code mount}, {@code umount2}, ...) of the init and everything it starts fail
 * with ENOSYS until the container restarts. Nothing can give it a listener again (a filter's
 * listener is made once, when the filter is loaded); this only tells the operator which ones to
 * restart. A process added later ({@code runc exec}) loads a filter of its own with its own
 * listener, so it works, and its own loss is not looked for.
 */
public final class LostListeners {
    /**
     * How long after its record was made a container may still be without a listener: the runtime
     * sends the listener fd right after loading the filter, and the agent reads a connection within
     * 2 s.
     */
    static final Duration SETTLE = Duration.ofSeconds(5);

    private final Registry registry;
    private final SeccompAgent agent;
    private final Clock clock;

    public LostListeners(Registry registry, SeccompAgent agent, Clock clock) {
        this.registry = registry;
        this.agent = agent;
        this.clock = clock;
    }

    /** The ids of the containers whose listener is lost, in the registry's order. */
    public List<String> ids() {
        return registry.all().stream().filter(this::lost).map(c -> c.record().id()).toList();
    }

    /** Listener fds served for {@code id} now. */
    public int served(String id) {
        return agent.listenersOf(id);
    }

    /** Whether {@code c}'s listener is lost (see the class comment). */
    public boolean lost(LiveContainer c) {
        ContainerRecord rec = c.record();
        return carriesFilter(rec, clock.instant())
                && !agent.servesProcess(rec.pid())
                && c.initAlive()
                && filterLoaded(rec.pid());
    }

    /**
     * Whether {@code rec} was prepared by nestlet-runtime (which adds the notify rule; the hook
     * path does not) and is running, for longer than {@link #SETTLE}.
     */
    static boolean carriesFilter(ContainerRecord rec, Instant now) {
        if (rec.prepared() == null || rec.stage() != Stage.RUNNING || rec.pid() <= 0) {
            return false;
        }
        try {
            return rec.created() == null || Instant.parse(rec.created()).plus(SETTLE).isBefore(now);
        } catch (DateTimeParseException e) {
            return true;
        }
    }

    /**
     * Whether the process has a seccomp filter loaded ({@code Seccomp: 2} in its status): runc
     * loads it at exec time when no_new_privileges is set, so until the container starts there is
     * no listener to have lost.
     */
    private static boolean filterLoaded(int pid) {
        try {
            return "2".equals(ProcStatus.of(pid).field("Seccomp"));
        } catch (IOException e) {
            return false;
        }
    }
}
