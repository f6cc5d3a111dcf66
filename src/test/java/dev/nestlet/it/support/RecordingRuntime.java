package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A runtime wrapper script in the test dir that records every call an engine makes (argv, and a
 * copy of the bundle's config.json on create/run), then execs the real runtime; on create also the
 * host's mount table, to see what the engine had mounted (the rootfs overlay) before the runtime
 * ran. Registered with an engine the way nestlet-runtime will be (dockerd --add-runtime, podman
 * --runtime, ctr --runc-binary), it shows exactly what the shim has to parse. Each call is its own
 * file, argv NUL-separated, so arguments with spaces or newlines survive and concurrent calls never
 * interleave.
 */
public final class RecordingRuntime {
    private final Path script;
    private final Path logDir;

    /** Writes {@code dir/name} (the script) and {@code dir/name.calls/} (its records). */
    public RecordingRuntime(Path dir, String name, OciRuntime real) throws IOException {
        this.script = dir.resolve(name);
        this.logDir = dir.resolve(name + ".calls");
        Files.createDirectories(logDir);
        String d = OciRuntime.shellQuote(logDir.toString());
        String body =
                "#!/bin/sh\n"
                        + "# Written by a nestlet integration test: records this call, then runs "
                        + real.binary()
                        + ".\n"
                        + "n=$(date +%s%N)-$$\n"
                        + "printf '%s\\0' \"$@\" > "
                        + d
                        + "/call-$n\n"
                        + "b= prev=\n"
                        + "for a in \"$@\"; do\n"
                        + "  case \"$prev\" in --bundle|-b) b=$a ;; esac\n"
                        + "  case \"$a\" in --bundle=*) b=${a#--bundle=} ;; esac\n"
                        + "  prev=$a\n"
                        + "done\n"
                        + "if [ -n \"$b\" ]; then\n"
                        + "  cp \"$b/config.json\" "
                        + d
                        + "/call-$n.config.json\n"
                        + "  cp /proc/self/mountinfo "
                        + d
                        + "/call-$n.mountinfo\n"
                        + "fi\n"
                        + real.execLine()
                        + "\n";
        Files.writeString(script, body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The script: what to register with an engine. */
    public Path path() {
        return script;
    }

    /** Every call so far, oldest first. */
    public List<RuntimeCall> calls() {
        List<Path> files;
        try (Stream<Path> s = Files.list(logDir)) {
            files =
                    s.filter(p -> !p.getFileName().toString().contains("."))
                            .sorted(Comparator.comparing(RecordingRuntime::sortKey))
                            .toList();
        } catch (IOException e) {
            throw new AssertionError("cannot list " + logDir, e);
        }
        List<RuntimeCall> out = new ArrayList<>();
        for (Path f : files) {
            try {
                String raw = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
                List<String> argv =
                        raw.isEmpty()
                                ? List.of()
                                : List.of(raw.substring(0, raw.length() - 1).split("\0", -1));
                out.add(
                        new RuntimeCall(
                                argv, sibling(f, ".config.json"), sibling(f, ".mountinfo")));
            } catch (IOException e) {
                throw new AssertionError("cannot read " + f, e);
            }
        }
        return out;
    }

    /** The calls with {@code verb}, oldest first. */
    public List<RuntimeCall> calls(String verb) {
        return calls().stream().filter(c -> c.verb().equals(verb)).toList();
    }

    /** The one create call for container {@code id} (the last argument of create). */
    public RuntimeCall create(String id) {
        List<RuntimeCall> c =
                calls("create").stream()
                        .filter(x -> x.argv().get(x.argv().size() - 1).equals(id))
                        .toList();
        if (c.size() != 1) {
            throw new AssertionError(
                    "expected one create of " + id + ", saw " + c + " among " + calls());
        }
        return c.get(0);
    }

    /** Forgets the calls recorded so far. */
    public void clear() {
        try (Stream<Path> s = Files.list(logDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot clear " + logDir, e);
        }
    }

    private static Optional<Path> sibling(Path call, String suffix) {
        Path p = call.resolveSibling(call.getFileName() + suffix);
        return Files.exists(p) ? Optional.of(p) : Optional.empty();
    }

    /** call-NANOS-PID: in order of the timestamp (date +%s%N), then of the pid. */
    private static String sortKey(Path p) {
        String[] f = p.getFileName().toString().split("-");
        return String.format("%025d-%010d", Long.parseLong(f[1]), Long.parseLong(f[2]));
    }
}
