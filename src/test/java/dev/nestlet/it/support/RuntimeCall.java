package dev.nestlet.it.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One invocation of an OCI runtime as an engine made it: the argv after the program name, split the
 * way runc and crun parse it (global options, the verb, the verb's arguments), and the bundle's
 * config.json as it was when the call happened (saved for {@code create} and {@code run}).
 */
public record RuntimeCall(List<String> argv, Optional<Path> config, Optional<Path> mountInfo) {
    /** runc/crun global options that take a separate value (the others are booleans). */
    private static final Set<String> GLOBAL_WITH_VALUE =
            Set.of("--root", "--log", "--log-format", "--criu", "--rootless", "--cgroup-manager");

    /** Index of the verb in argv, or argv.size() when there is none. */
    private int verbIndex() {
        int i = 0;
        while (i < argv.size() && argv.get(i).startsWith("-")) {
            String a = argv.get(i);
            i += GLOBAL_WITH_VALUE.contains(a) ? 2 : 1;
        }
        return Math.min(i, argv.size());
    }

    /** create, start, state, kill, delete, exec, run... ("" if the engine passed only options). */
    public String verb() {
        int i = verbIndex();
        return i < argv.size() ? argv.get(i) : "";
    }

    /**
     * What comes before the verb: --root DIR, --log FILE, --log-format json, --systemd-cgroup...
     */
    public List<String> globalArgs() {
        return argv.subList(0, verbIndex());
    }

    /** What follows the verb: its options and the container id. */
    public List<String> verbArgs() {
        int i = verbIndex();
        return i < argv.size() ? argv.subList(i + 1, argv.size()) : List.of();
    }

    /** The value of {@code --name VALUE} or {@code --name=VALUE} anywhere in argv. */
    public Optional<String> option(String name) {
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals(name) && i + 1 < argv.size()) {
                return Optional.of(argv.get(i + 1));
            }
            if (a.startsWith(name + "=")) {
                return Optional.of(a.substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }

    /**
     * The argv with every option value replaced by {@code V} and the last argument (the container
     * id) by {@code ID}: the shape a shim has to parse, comparable across runs.
     */
    public List<String> shape() {
        List<String> out = new ArrayList<>();
        int verb = verbIndex();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (i == verb) {
                out.add(a);
            } else if (i == argv.size() - 1 && i > verb && !a.startsWith("-")) {
                out.add("ID");
            } else if (a.startsWith("--") && a.contains("=")) {
                out.add(a.substring(0, a.indexOf('=') + 1) + "V");
            } else if (!a.startsWith("-")
                    && i > 0
                    && argv.get(i - 1).startsWith("-")
                    && (i > verb || GLOBAL_WITH_VALUE.contains(argv.get(i - 1)))) {
                out.add("V");
            } else {
                out.add(a);
            }
        }
        return out;
    }
}
