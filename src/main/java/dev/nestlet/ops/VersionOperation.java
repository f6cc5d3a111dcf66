package dev.nestlet.ops;

import dev.nestlet.api.Peer;
import dev.nestlet.api.Protocol;
import dev.nestlet.api.TextOperation;
import dev.nestlet.api.Version;

/** op "version": the daemon's build and protocol versions. */
public final class VersionOperation
        implements TextOperation<VersionOperation.Params, VersionOperation.Result> {
    public record Params() {}

    public record Result(String version, int protocol) {}

    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public String name() {
        return "version";
    }

    @Override
    public Class<Params> params() {
        return Params.class;
    }

    @Override
    public Result result(Params p, Peer peer) {
        return new Result(Version.VALUE, Protocol.VERSION);
    }

    /** The daemon's line; nestletctl prints its own version above it. */
    @Override
    public String text(Result r) {
        return "nestletd   " + r.version() + " (protocol " + r.protocol() + ")\n";
    }
}
