package dev.nestlet.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.api.Protocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** nestletctl: the admin CLI. Each subcommand is one request to nestletd. */
@Command(
        name = "nestletctl",
        mixinStandardHelpOptions = true,
        description = "Inspect and manage the nestlet daemon on this node.",
        subcommands = {
            StatusCommand.class,
            PsCommand.class,
            InspectCommand.class,
            AllocationsCommand.class,
            VersionCommand.class,
            ConfigCommand.class,
            EngineCommand.class,
            MetricsCommand.class,
            DoctorCommand.class
        })
public final class Nestletctl implements Callable<Integer> {
    static final int EXIT_ERROR = 1;
    static final int EXIT_UNREACHABLE = 3;

    @Option(
            names = "--socket",
            description =
                    "nestletd socket (default: $NESTLET_SOCKET or " + Protocol.DEFAULT_SOCKET + ")",
            scope = CommandLine.ScopeType.INHERIT)
    Path socket;

    @Option(
            names = {"-o", "--output"},
            description = "text or json (default: ${DEFAULT-VALUE})",
            scope = CommandLine.ScopeType.INHERIT)
    String output = "text";

    public static void main(String[] args) {
        System.exit(new CommandLine(new Nestletctl()).execute(args));
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    ApiClient client() {
        if (socket != null) {
            return new ApiClient(socket);
        }
        String env = System.getenv("NESTLET_SOCKET");
        return new ApiClient(
                Path.of(env != null && !env.isEmpty() ? env : Protocol.DEFAULT_SOCKET));
    }

    boolean json() {
        if (!output.equals("json") && !output.equals("text")) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "-o must be text or json");
        }
        return output.equals("json");
    }

    /**
     * Sends one request and prints what nestletd rendered for it (-o text or json); maps failures
     * to exit codes. The C nestletctl prints the same bytes for the read-only commands.
     */
    int run(String op, Consumer<ObjectNode> body) {
        return run(op, body, "");
    }

    /** As {@link #run(String, Consumer)}, with {@code header} printed first (-o text only). */
    int run(String op, Consumer<ObjectNode> body, String header) {
        ApiClient c = client();
        try {
            boolean json = json();
            ObjectNode req = c.newRequest(op);
            body.accept(req);
            req.put("output", json ? "json" : "text");
            String text = (json ? "" : header) + c.call(req).path("text").asText();
            // Bytes, not System.out's charset: the same UTF-8 whatever the locale, as the C client.
            System.out.write(text.getBytes(StandardCharsets.UTF_8));
            System.out.flush();
            return 0;
        } catch (ApiClient.ErrorResponse e) {
            System.err.println("nestletctl: " + e.code() + ": " + e.getMessage());
            return EXIT_ERROR;
        } catch (ApiClient.Unreachable e) {
            System.err.println("nestletctl: " + e.getMessage());
            return EXIT_UNREACHABLE;
        } catch (IOException e) {
            System.err.println("nestletctl: " + e.getMessage());
            return EXIT_ERROR;
        }
    }

    /** Base of subcommands: access to the shared options. */
    abstract static class Sub implements Callable<Integer> {
        @ParentCommand Nestletctl parent;
    }
}
