package dev.nestlet.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * nestletd's config file (/etc/nestlet/nestletd.conf): one {@code option = value} per line, the
 * option being a long command-line option without its dashes; '#' starts a comment; a repeatable
 * option may stand on several lines. The file's settings come before the command line's, so the
 * command line wins. Every error is reported with its line, all of them at once.
 */
public final class ConfigFile {
    /** One {@code option = value} line. */
    public record Setting(int line, String option, String value) {}

    /** What a file says: its settings, as command-line arguments, and its errors. */
    public record Parsed(List<Setting> settings, List<String> errors) {
        /** The settings as nestletd's command-line arguments. */
        public List<String> args() {
            List<String> args = new ArrayList<>();
            for (Setting s : settings) {
                args.add("--" + s.option() + "=" + s.value());
            }
            return args;
        }
    }

    private ConfigFile() {}

    /** Reads and checks {@code file}; an unreadable file is one error. */
    public static Parsed read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return new Parsed(List.of(), List.of(file + ": cannot read: " + e.getMessage()));
        }
        List<Setting> settings = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            int n = i + 1;
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            int eq = text.indexOf('=');
            if (eq <= 0) {
                errors.add(file + ":" + n + ": expected 'option = value', read '" + text + "'");
                continue;
            }
            Setting s =
                    new Setting(n, text.substring(0, eq).strip(), text.substring(eq + 1).strip());
            String error = check(s);
            if (error != null) {
                errors.add(file + ":" + n + ": " + error);
            } else {
                settings.add(s);
            }
        }
        return new Parsed(List.copyOf(settings), List.copyOf(errors));
    }

    /** Why nestletd would refuse {@code s}, or null: the option's own parsing and checks. */
    private static String check(Setting s) {
        return DaemonOptions.check(s.option(), s.value());
    }

    /** The option names a file may set, as {@code --help} lists them. */
    public static List<String> options() {
        return DaemonOptions.fileOptions();
    }
}
