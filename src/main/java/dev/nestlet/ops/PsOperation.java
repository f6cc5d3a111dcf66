package dev.nestlet.ops;

import dev.nestlet.api.Peer;
import dev.nestlet.api.TextOperation;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.Registry;
import dev.nestlet.state.Stage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** op "ps": one summary line per registered container. */
public final class PsOperation implements TextOperation<PsOperation.Params, List<PsOperation.Row>> {
    private static final String ROW = "%-24s %-8s %-6s %-9s %-6s %-10s %s\n";

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
    public List<Row> result(Params p, Peer peer) {
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

    @Override
    public String text(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        ROW, "ID", "PID", "RUNTIME", "STAGE", "ALIVE", "ROOT UID", "CREATED"));
        // Containers of no pod first, then one group per Kubernetes pod, its sandbox first.
        Map<String, List<Row>> pods = new TreeMap<>();
        for (Row r : rows) {
            if (r.pod() != null) {
                pods.computeIfAbsent(r.pod() + " " + r.sandboxId(), k -> new ArrayList<>()).add(r);
            } else {
                line(out, r, "");
            }
        }
        pods.forEach(
                (key, members) -> {
                    String[] k = key.split(" ", 2);
                    out.append("pod ").append(k[0]).append(" (sandbox ").append(k[1]).append(")\n");
                    members.sort(Comparator.comparing(r -> !r.sandbox()));
                    members.forEach(r -> line(out, r, "  "));
                });
        return out.toString();
    }

    private static void line(StringBuilder out, Row r, String indent) {
        out.append(
                String.format(
                        ROW,
                        indent + r.id() + (r.sandbox() ? " (sandbox)" : ""),
                        r.pid(),
                        r.runtime(),
                        r.stage().json(),
                        r.alive() ? "yes" : "no",
                        r.rootUid(),
                        r.created()));
    }
}
