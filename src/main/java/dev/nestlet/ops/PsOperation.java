package dev.nestlet.ops;

import dev.nestlet.api.Operation;
import dev.nestlet.api.Peer;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.Registry;
import dev.nestlet.state.Stage;
import java.util.List;

/** op "ps": one summary line per registered container. */
public final class PsOperation implements Operation<PsOperation.Params> {
    public record Params() {}

    /**
     * One container, as ps lists it.
     *
     * @param pod the Kubernetes pod ("namespace/name") it belongs to, or null; {@code sandbox}: it
     *     is the pod's sandbox
     */
    public record Row(
            String id,
            int pid,
            String runtime,
            Stage stage,
            boolean alive,
            String created,
            int rootUid,
            String bundle,
            String pod,
            String sandboxId,
            boolean sandbox) {}

    private final Registry registry;

    public PsOperation(Registry registry) {
        this.registry = registry;
    }

    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public String name() {
        return "ps";
    }

    @Override
    public Class<Params> params() {
        return Params.class;
    }

    @Override
    public Object handle(Params p, Peer peer) {
        List<Row> rows =
                registry.all().stream()
                        .map(
                                c -> {
                                    ContainerRecord r = c.record();
                                    var pod = dev.nestlet.pod.PodRef.of(r.annotations(), r.id());
                                    return new Row(
                                            r.id(),
                                            r.pid(),
                                            r.runtime(),
                                            r.stage(),
                                            c.initAlive(),
                                            r.created(),
                                            r.rootUid(),
                                            r.bundle(),
                                            pod.map(dev.nestlet.pod.PodRef::display).orElse(null),
                                            pod.map(dev.nestlet.pod.PodRef::sandboxId).orElse(null),
                                            pod.map(dev.nestlet.pod.PodRef::sandbox).orElse(false));
                                })
                        .toList();
        return rows;
    }
}
