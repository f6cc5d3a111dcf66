package dev.nestlet.cli;

import dev.nestlet.daemon.ConfigFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** nestletctl config validate FILE: nestletd's config file checked without starting anything. */
@Command(
        name = "config",
        description = "Work with nestletd's config file.",
        subcommands = ConfigCommand.Validate.class)
final class ConfigCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("nestletctl config: say 'validate FILE'");
        return Nestletctl.EXIT_ERROR;
    }

    /** Prints every error with its line; exit 1 when there is any. */
    @Command(
            name = "validate",
            description = "Check a config file; print each error with its line.")
    static final class Validate implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "the file, e.g. /etc/nestlet/nestletd.conf")
        Path file;

        @Override
        public Integer call() {
            ConfigFile.Parsed parsed = ConfigFile.read(file);
            if (parsed.errors().isEmpty()) {
                System.out.println(file + ": ok (" + parsed.settings().size() + " settings)");
                return 0;
            }
            parsed.errors().forEach(System.err::println);
            return Nestletctl.EXIT_ERROR;
        }
    }
}
