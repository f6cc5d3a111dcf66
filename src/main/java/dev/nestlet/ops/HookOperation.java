package dev.nestlet.ops;

import dev.nestlet.api.Operation;
import dev.nestlet.api.Peer;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.lifecycle.HookService;
import dev.nestlet.oci.HookStage;
import dev.nestlet.oci.OciState;

/** op "hook": what nestlet-hook sends for each OCI hook stage. */
public final class HookOperation implements Operation<HookOperation.Params> {
    public record Params(HookStage stage, OciState state) {}

    private final HookService service;

    public HookOperation(HookService service) {
        this.service = service;
    }

    @Override
    public String name() {
        return "hook";
    }

    @Override
    public Class<Params> params() {
        return Params.class;
    }

    @Override
    public Object handle(Params p, Peer peer) throws Exception {
        if (p.stage() == null) {
            throw new NestletException(ErrorCode.BAD_REQUEST, "hook request has no \"stage\"");
        }
        long t0 = System.nanoTime();
        String action = "error";
        try {
            dev.nestlet.lifecycle.HookResult r = service.handle(p.stage(), p.state(), peer.pid());
            action = r.action();
            return r;
        } finally {
            dev.nestlet.metrics.NestletMetrics.HOOKS
                    .labelValues(p.stage().json(), action)
                    .observe(dev.nestlet.metrics.NestletMetrics.since(t0));
        }
    }
}
