package dev.nestlet.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.api.Operation;
import dev.nestlet.api.Peer;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.prepare.SpecEditor;
import dev.nestlet.state.LiveContainer;
import dev.nestlet.state.Registry;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * op "exec": what nestlet-runtime sends before `exec --process FILE ID`. An engine builds an exec's
 * process from the container spec it keeps, not from the config.json nestlet prepared: containerd's
 * CRI exec (kubectl exec, exec probes) would run with the engine's default capabilities. For a
 * system container nestlet prepared, the process gets the capability set its init got (the full set
 * inside its own user namespace); the seccomp filter, namespaces and cgroups are the container's
 * anyway. Any other container: the file is left alone ({@code changed: false}).
 */
public final class ExecOperation implements Operation<ExecOperation.Params> {
    public record Params(String id, String process) {}

    public record Result(String id, boolean changed) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BYTES = 1 << 20;

    private final Registry registry;

    public ExecOperation(Registry registry) {
        this.registry = registry;
    }

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public Class<Params> params() {
        return Params.class;
    }

    @Override
    public Object handle(Params p, Peer peer) throws Exception {
        Optional<LiveContainer> c = p.id() == null ? Optional.empty() : registry.get(p.id());
        if (c.isEmpty() || c.get().record().prepared() == null || !c.get().initAlive()) {
            return new Result(p.id(), false);
        }
        Path file = Path.of(p.process() == null ? "" : p.process());
        if (!file.isAbsolute()
                || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                || Files.size(file) > MAX_BYTES) {
            throw new NestletException(
                    ErrorCode.BAD_REQUEST,
                    "process "
                            + file
                            + " is not a regular file of at most "
                            + MAX_BYTES
                            + " bytes given by an absolute path");
        }
        JsonNode process = JSON.readTree(file.toFile());
        if (!(process instanceof ObjectNode obj)) {
            throw new NestletException(
                    ErrorCode.BAD_REQUEST, "process " + file + " is not a JSON object");
        }
        ObjectNode holder = JSON.createObjectNode();
        holder.set("process", obj);
        SpecEditor.fullCapabilities(holder);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".nestlet");
        Files.write(tmp, JSON.writeValueAsBytes(obj));
        Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(file));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new Result(p.id(), true);
    }
}
