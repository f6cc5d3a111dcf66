package dev.nestlet.ops;

import dev.nestlet.api.Operation;
import dev.nestlet.api.Peer;
import dev.nestlet.api.Protocol;
import dev.nestlet.api.Version;

/** op "version": the daemon's build and protocol versions. */
public final class VersionOperation implements Operation<VersionOperation.Params> {
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
    public Object handle(Params p, Peer peer) {
        return new Result(Version.VALUE, Protocol.VERSION);
    }
}
