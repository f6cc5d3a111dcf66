package dev.nestlet.ops;

import dev.nestlet.api.Operation;
import dev.nestlet.api.Peer;
import dev.nestlet.prepare.PrepareService;

/** op "prepare": what nestlet-runtime sends before `create` or `run`. */
public final class PrepareOperation implements Operation<PrepareOperation.Params> {
    /**
     * The request's body.
     *
     * @param runtime the runtime nestlet-runtime is about to exec (runc, crun)
     * @param runtimeRoot its state dir (--root), when known
     */
    public record Params(String id, String bundle, String runtime, String runtimeRoot) {}

    private final PrepareService service;

    public PrepareOperation(PrepareService service) {
        this.service = service;
    }

    @Override
    public String name() {
        return "prepare";
    }

    @Override
    public Class<Params> params() {
        return Params.class;
    }

    @Override
    public Object handle(Params p, Peer peer) throws Exception {
        return service.prepare(p.id(), p.bundle(), p.runtime(), p.runtimeRoot());
    }
}
