package dev.nestlet.ops;

import dev.nestlet.api.Peer;
import dev.nestlet.api.TextOperation;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.json.Json;
import dev.nestlet.pod.PodView;
import dev.nestlet.pod.Pods;
import dev.nestlet.seccomp.LostListeners;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.LiveContainer;
import dev.nestlet.state.Registry;

/** op "inspect": everything nestlet knows about one container. */
public final class InspectOperation
        implements TextOperation<InspectOperation.Params, InspectOperation.Result> {
    public record Params(String id) {}

    /**
     * What inspect answers: the record, whether its init lives, its pod, and its seccomp listeners.
     *
     * @param pod the container's pod (its range and network namespace), null for a container of no
     *     pod
     * @param seccompListeners listener fds served for its processes (one per process that loaded
     *     nestlet's filter)
     * @param seccompListenerLost it carries nestlet's filter and no listener is served: its trapped
     *     calls fail with ENOSYS until it restarts
     */
    public record Result(
            ContainerRecord container,
            boolean alive,
            PodView pod,
            int seccompListeners,
            boolean seccompListenerLost) {}

    private final Registry registry;
    private final Pods pods;
    private final LostListeners listeners;

    public InspectOperation(Registry registry, LostListeners listeners) {
        this.registry = registry;
        this.pods = new Pods(registry);
        this.listeners = listeners;
    }

    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public Class<Params> params() {
        return Params.class;
    }

    @Override
    public Result result(Params p, Peer peer) {
        if (p.id() == null) {
            throw new NestletException(ErrorCode.BAD_REQUEST, "inspect needs an \"id\"");
        }
        LiveContainer c =
                registry.get(p.id())
                        .orElseThrow(
                                () ->
                                        new NestletException(
                                                ErrorCode.NOT_FOUND,
                                                "no container with id '" + p.id() + "'"));
        boolean alive = c.initAlive();
        return new Result(
                c.record(),
                alive,
                pods.view(c.record(), alive).orElse(null),
                listeners.served(p.id()),
                listeners.lost(c));
    }

    /** The same document as -o json: nested data reads best as indented JSON. */
    @Override
    public String text(Result r) {
        return Json.pretty(r);
    }
}
