package dev.nestlet.ops;

import dev.nestlet.api.Peer;
import dev.nestlet.api.TextOperation;
import dev.nestlet.metrics.NestletMetrics;

/** op "metrics": nestletd's metrics as Prometheus text ({@code {"text": ...}}). Read-only. */
public final class MetricsOperation
        implements TextOperation<MetricsOperation.Params, MetricsOperation.Result> {
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
    public Result result(Params p, Peer peer) {
        return new Result("prometheus-text-0.0.4", NestletMetrics.scrape());
    }

    /** The exposition text itself, for a scraper reading nestletctl's output. */
    @Override
    public String text(Result r) {
        return r.text();
    }
}
