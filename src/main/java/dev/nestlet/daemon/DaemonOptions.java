package dev.nestlet.daemon;

import dev.nestlet.api.Protocol;
import dev.nestlet.kernel.KernelVersion;
import dev.nestlet.metrics.ListenAddress;
import dev.nestlet.vfs.VfsLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * nestletd's options, from its command line and its config file, read by a small table rather than
 * picocli: picocli's class files (Java 5 format) cannot go into the AOT cache and go through the
 * old verifier, a quarter of a second of every start. The later of two settings wins; a repeatable
 * option adds. Messages are those of the Java CLI's picocli for the same mistakes.
 */
public final class DaemonOptions {
    private enum Kind {
        PATH("PATH"),
        INT("N"),
        LONG("N"),
        FLAG(""),
        TEXT("VALUE"),
        REPEATED("VALUE");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** One option: its long name without dashes, type, default (null: none) and meaning. */
    private record Spec(String name, Kind kind, String label, String defaultValue, String help) {
        String usage() {
            String value = kind == Kind.FLAG ? "" : "=" + (label == null ? kind.label : label);
            return "--" + name + value;
        }
    }

    private static final Map<String, Spec> SPECS = new LinkedHashMap<>();

    private static void option(Kind kind, String name, String defaultValue, String help) {
        SPECS.put(name, new Spec(name, kind, null, defaultValue, help));
    }

    private static void option(
            Kind kind, String name, String label, String defaultValue, String help) {
        SPECS.put(name, new Spec(name, kind, label, defaultValue, help));
    }

    static {
        option(
                Kind.PATH,
                "config",
                "FILE",
                null,
                "settings file: 'option = value' lines (docs/install.md); the command line wins");
        option(Kind.PATH, "socket", Protocol.DEFAULT_SOCKET, "API socket");
        option(Kind.PATH, "state-dir", "/var/lib/nestlet", "state and inner data dirs");
        option(Kind.INT, "group", "GID", null, "gid whose members may use the socket besides root");
        option(
                Kind.FLAG,
                "group-may-mutate",
                "false",
                "let --group members call the operations that change state (hook, prepare) too,"
                        + " not only the read-only ones");
        option(
                Kind.FLAG,
                "keep-data-dirs",
                "false",
                "keep inner data dirs on disk when a container is removed");
        option(
                Kind.INT,
                "max-request-bytes",
                String.valueOf(Protocol.DEFAULT_MAX_REQUEST_BYTES),
                "longest request line");
        option(Kind.LONG, "request-timeout", "120", "seconds a request may take");
        option(Kind.INT, "workers", "4", "namespace worker threads");
        option(Kind.INT, "vfs-threads", "2", "threads serving the virtual /proc and /sys files");
        option(
                Kind.INT,
                "vfs-inflight",
                "N",
                null,
                "FUSE requests of one container answered at once; more wait in that container's"
                        + " queue (default: --vfs-threads minus 1, at least 1)");
        option(
                Kind.INT,
                "container-cpu-budget",
                "PERCENT",
                String.valueOf(VfsLimits.DEFAULT_CPU_PERCENT),
                "CPU time nestletd's FUSE threads may spend on one container, in percent of one"
                        + " CPU; beyond, its requests wait until it is back under (0: no budget)");
        option(
                Kind.INT,
                "vfs-max-open",
                "1024",
                "virtual files one container may hold open; more fail with EMFILE");
        option(
                Kind.LONG,
                "vfs-snapshot-bytes",
                "BYTES",
                null,
                "bytes all open virtual files together may hold; more opens fail with EAGAIN"
                        + " (default: a quarter of the maximum heap)");
        option(
                Kind.INT,
                "seccomp-queue",
                "256",
                "seccomp notifications of one container waiting for a handler; more are"
                        + " answered EAGAIN");
        option(
                Kind.REPEATED,
                "sysctl-raise",
                "NAME=CEILING",
                null,
                "let system containers raise the host's NAME up to CEILING, never lower it"
                        + " (repeatable; see docs/proc-sys.md)");
        option(Kind.LONG, "reconcile-interval", "5", "seconds between reconcile sweeps");
        option(
                Kind.TEXT,
                "id-pool",
                "UID:GID:COUNT",
                null,
                "host ids to give system containers (default: the --subid-user entries of"
                        + " --subuid/--subgid)");
        option(Kind.PATH, "subuid", "FILE", "/etc/subuid", "subordinate uid file");
        option(Kind.PATH, "subgid", "FILE", "/etc/subgid", "subordinate gid file");
        option(Kind.TEXT, "subid-user", "nestlet", "owner of nestlet's entries in those files");
        option(Kind.LONG, "range-size", "65536", "ids per system container");
        option(
                Kind.TEXT,
                "shift",
                "idmap",
                "idmap (ID-mapped mounts, chown copy where refused) or copy (always a chown copy)");
        option(
                Kind.TEXT,
                "kernel-compat",
                "VERSION",
                null,
                "behave as if the kernel were VERSION (6.1, 6.8...): features introduced after it"
                        + " count as absent, so their fallbacks run (docs/kernel.md)");
        option(
                Kind.TEXT,
                "fd-store",
                "auto",
                "where the FUSE connection and the seccomp listener fds are kept across restarts:"
                        + " auto (systemd's fd store under systemd, else nestlet-keeper), systemd,"
                        + " keeper, none");
        option(
                Kind.FLAG,
                "take-over",
                "false",
                "planned restart without a gap: start up beside the nestletd serving --socket, then"
                        + " have it hand over its FUSE connection, seccomp listeners, state and"
                        + " socket (needs --fd-store keeper); starts as usual when none answers");
        option(
                Kind.FLAG,
                "standby",
                "false",
                "warm standby: start up beside the nestletd serving --state-dir (as --take-over"
                        + " does), then wait; serve once it exits, however it ends (SIGKILL, a"
                        + " crash), or at once when none serves (needs --fd-store keeper)");
        option(
                Kind.TEXT,
                "metrics-listen",
                "HOST:PORT",
                null,
                "serve the metrics over HTTP at /metrics on this address (off when unset or"
                        + " empty; a non-loopback address is logged as a warning)");
    }

    private final Map<String, String> values = new HashMap<>();
    private final List<String> sysctlRaises = new ArrayList<>();
    private boolean help;
    private boolean version;

    private DaemonOptions() {}

    /** Reads {@code args}; {@link OptionException} says what is wrong with the first bad one. */
    public static DaemonOptions parse(List<String> args) throws OptionException {
        DaemonOptions o = new DaemonOptions();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h") || arg.equals("--help")) {
                o.help = true;
                continue;
            }
            if (arg.equals("-V") || arg.equals("--version")) {
                o.version = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new OptionException("Unmatched argument: '" + arg + "'");
            }
            int eq = arg.indexOf('=');
            String name = arg.substring(2, eq < 0 ? arg.length() : eq);
            Spec spec = SPECS.get(name);
            if (spec == null) {
                throw new OptionException("Unknown option: '" + arg + "'");
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (spec.kind() == Kind.FLAG) {
                value = "true";
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new OptionException(
                        "Missing required parameter for option '--"
                                + name
                                + "' ("
                                + (spec.label() == null ? spec.kind().label : spec.label())
                                + ")");
            }
            o.set(spec, value);
        }
        return o;
    }

    /** Checks {@code option = value} as nestletd would take it; null when it is fine. */
    static String check(String option, String value) {
        Spec spec = SPECS.get(option);
        if (spec == null || option.equals("config")) {
            return "unknown option '" + option + "'";
        }
        if (value.isEmpty()) {
            return option + " has no value";
        }
        try {
            new DaemonOptions().set(spec, value);
            return null;
        } catch (OptionException e) {
            return e.getMessage();
        }
    }

    /** The option names a config file may set, in --help's order. */
    static List<String> fileOptions() {
        // take-over is an act (a planned restart), not a setting, and standby a role of one
        // unit of two: ExecStart, ExecReload and the standby unit read the same file.
        return SPECS.keySet().stream()
                .filter(n -> !n.equals("config") && !n.equals("take-over") && !n.equals("standby"))
                .toList();
    }

    private void set(Spec spec, String value) throws OptionException {
        switch (spec.kind()) {
            case INT, LONG -> {
                long n;
                try {
                    n = spec.kind() == Kind.INT ? Integer.parseInt(value) : Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw invalid(spec, value, spec.kind() == Kind.INT ? "an int" : "a long");
                }
                // Counts, sizes and intervals; only a gid and a budget (0: none) may be 0.
                if (n < 0
                        || (n == 0
                                && !spec.name().equals("group")
                                && !spec.name().equals("container-cpu-budget"))) {
                    throw invalid(spec, value, "a positive number");
                }
            }
            case FLAG -> {
                if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                    throw invalid(spec, value, "a boolean");
                }
            }
            case REPEATED -> sysctlRaises.add(value);
            case PATH, TEXT -> {}
        }
        if (spec.name().equals("shift") && !value.equals("idmap") && !value.equals("copy")) {
            throw new OptionException("--shift must be idmap or copy");
        }
        if (spec.name().equals("kernel-compat")) {
            try {
                KernelVersion.parse(value);
            } catch (IllegalArgumentException e) {
                throw new OptionException("--kernel-compat must be MAJOR.MINOR, as 6.1: " + value);
            }
        }
        if (spec.name().equals("metrics-listen") && !value.isEmpty()) {
            try {
                ListenAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new OptionException(e.getMessage());
            }
        }
        if (spec.name().equals("id-pool")) {
            try {
                // What it holds does not depend on the range size, only how it is cut.
                IdPools.explicit(value, Long.parseLong(SPECS.get("range-size").defaultValue()));
            } catch (IllegalArgumentException e) {
                throw new OptionException(e.getMessage());
            }
        }
        values.put(spec.name(), value);
    }

    private static OptionException invalid(Spec spec, String value, String what) {
        return new OptionException(
                "Invalid value for option '--" + spec.name() + "': '" + value + "' is not " + what);
    }

    private String value(String name) {
        String v = values.get(name);
        return v != null ? v : SPECS.get(name).defaultValue();
    }

    public boolean help() {
        return help;
    }

    public boolean version() {
        return version;
    }

    public Path path(String name) {
        String v = value(name);
        return v == null ? null : Path.of(v);
    }

    public int integer(String name) {
        return Integer.parseInt(value(name));
    }

    public OptionalInt optionalInteger(String name) {
        String v = value(name);
        return v == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(v));
    }

    public long number(String name) {
        return Long.parseLong(value(name));
    }

    public boolean flag(String name) {
        return Boolean.parseBoolean(value(name));
    }

    public String text(String name) {
        return value(name);
    }

    public List<String> sysctlRaises() {
        return List.copyOf(sysctlRaises);
    }

    /** What --help prints. */
    public static String usage() {
        StringBuilder b =
                new StringBuilder(
                        "Usage: nestletd [-hV] [--OPTION=VALUE]...\n"
                                + "nestlet node daemon: system containers for unprivileged"
                                + " Docker-in-Docker.\n");
        for (Spec s : SPECS.values()) {
            b.append(String.format("      %-30s %s", s.usage(), s.help()));
            if (s.defaultValue() != null && s.kind() != Kind.FLAG) {
                b.append(" (default: ").append(s.defaultValue()).append(')');
            }
            b.append('\n');
        }
        b.append(String.format("  -h, --help %-22s Show this help message and exit.%n", ""));
        b.append(String.format("  -V, --version %-19s Print version information and exit.%n", ""));
        return b.toString();
    }
}
