package dev.nestlet.ops;

import dev.nestlet.api.Operation;
import dev.nestlet.api.Peer;
import dev.nestlet.metrics.NestletMetrics;

/** op "metrics": nestletd's metrics as Prometheus text ({@code {"text": ...}}). Read-only. */
public final class MetricsOperation implements Operation<MetricsOperation.Params> {
    public record Params() {}

    public record Result(String format, String text) {}

    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public Class<Params> params() {
        return Params.class;
    }

    @Override
    public Object handle(Params p, Peer peer) {
        return new Result("prometheus-text-0.0.4", NestletMetrics.scrape());
    }
}
