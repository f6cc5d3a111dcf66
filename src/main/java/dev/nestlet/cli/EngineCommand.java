package dev.nestlet.cli;

import dev.nestlet.engine.Engine;
import dev.nestlet.engine.EngineInstaller;
import dev.nestlet.engine.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * nestletctl engine install|uninstall|status ENGINE: registers nestlet-runtime in an engine's
 * config (dev.nestlet.engine does the editing). Needs no nestletd: the DaemonSet's installer runs
 * it before nestletd is there.
 */
@Command(
        name = "engine",
        description = "Register nestlet-runtime with containerd, crio, podman or docker.",
        subcommands = {
            EngineCommand.Install.class,
            EngineCommand.Uninstall.class,
            EngineCommand.Status.class
        })
final class EngineCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("nestletctl engine: say install, uninstall or status, and the engine");
        return Nestletctl.EXIT_ERROR;
    }

    /** ENGINE by its name on the command line. */
    static final class EngineName implements CommandLine.ITypeConverter<Engine> {
        @Override
        public Engine convert(String value) {
            return Arrays.stream(Engine.values())
                    .filter(e -> e.id().equals(value.toLowerCase(Locale.ROOT)))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new CommandLine.TypeConversionException(
                                            "unknown engine '"
                                                    + value
                                                    + "': say "
                                                    + Arrays.stream(Engine.values())
                                                            .map(Engine::id)
                                                            .collect(Collectors.joining(", "))));
        }
    }

    /** What every engine command takes: the engine and the node's root. */
    abstract static class Base implements Callable<Integer> {
        @Parameters(
                paramLabel = "ENGINE",
                converter = EngineName.class,
                description = "containerd, crio, podman or docker")
        Engine engine;

        @Option(
                names = "--root",
                paramLabel = "DIR",
                description =
                        "the node's root as seen from here (default: /); paths in configs stay the node's")
        Path root = Path.of("/");

        abstract Outcome run(EngineInstaller installer) throws IOException;

        @Override
        public Integer call() {
            try {
                Outcome o = run(new EngineInstaller(engine, root));
                System.out.write(o.text().getBytes(StandardCharsets.ISO_8859_1));
                System.out.flush();
                return o.ok() ? 0 : Nestletctl.EXIT_ERROR;
            } catch (IllegalArgumentException | IOException e) {
                System.err.println("nestletctl engine: " + e.getMessage());
                return Nestletctl.EXIT_ERROR;
            }
        }
    }

    /** install and uninstall: they write, unless asked only to show the diff. */
    abstract static class Change extends Base {
        @Option(names = "--dry-run", description = "print the diff, write nothing")
        boolean dryRun;
    }

    @Command(
            name = "install",
            description =
                    "Merge runtime nestlet into the engine's config (idempotent); the engine is not restarted.")
    static final class Install extends Change {
        @Option(
                names = "--config",
                paramLabel = "FILE",
                description = "the engine's config (node path) instead of its default")
        String config;

        @Option(
                names = "--prefix",
                paramLabel = "PREFIX",
                description = "where nestlet is installed on the node (default: /usr/local)")
        String prefix;

        @Override
        Outcome run(EngineInstaller installer) throws IOException {
            return installer.install(config, prefix, dryRun);
        }
    }

    @Command(
            name = "uninstall",
            description =
                    "Restore what install changed, byte for byte; the engine is not restarted.")
    static final class Uninstall extends Change {
        @Option(
                names = "--config",
                paramLabel = "FILE",
                description =
                        "accepted for symmetry: uninstall restores the files the install recorded")
        String config;

        @Override
        Outcome run(EngineInstaller installer) throws IOException {
            return installer.uninstall(dryRun);
        }
    }

    @Command(
            name = "status",
            description = "Exit 0 when the engine's config registers runtime nestlet, 1 when not.")
    static final class Status extends Base {
        @Option(
                names = "--config",
                paramLabel = "FILE",
                description =
                        "the engine's config (node path); default: the installed one, or the engine's default")
        String config;

        @Override
        Outcome run(EngineInstaller installer) throws IOException {
            return installer.status(config);
        }
    }
}
