package dev.nestlet.vfs.sysctl;

import dev.nestlet.sys.FileCalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The operator's exceptions to "a container never changes the host": for a raisable sysctl given as
 * {@code NAME=CEILING} (nestletd --sysctl-raise), a container that writes a value above the host's
 * raises the host's to that value, or to the ceiling when it asks for more. The host's value is
 * never lowered, not even when the container goes; with no ceiling given, nothing is raised.
 */
public final class HostSysctlRaises {
    private static final Logger LOG = Logger.getLogger(HostSysctlRaises.class.getName());

    private final Path root;
    private final Map<String, Long> ceilings;

    private HostSysctlRaises(Path root, Map<String, Long> ceilings) {
        this.root = root;
        this.ceilings = Map.copyOf(ceilings);
    }

    /**
     * Reads {@code NAME=CEILING} options against {@code catalog}.
     *
     * @param root the host's root ("/" in nestletd)
     * @throws IllegalArgumentException for a malformed option or a sysctl that may not be raised
     */
    public static HostSysctlRaises parse(
            Path root, List<String> options, List<SysctlSpec> catalog) {
        Map<String, Long> ceilings = new LinkedHashMap<>();
        for (String o : options) {
            int eq = o.indexOf('=');
            String name = eq < 0 ? o : o.substring(0, eq);
            SysctlSpec spec =
                    catalog.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
            if (spec == null || !spec.raisable()) {
                throw new IllegalArgumentException(
                        "--sysctl-raise "
                                + o
                                + ": "
                                + name
                                + " may not be raised; "
                                + "these may: "
                                + catalog.stream()
                                        .filter(SysctlSpec::raisable)
                                        .map(SysctlSpec::name)
                                        .toList());
            }
            long ceiling;
            try {
                ceiling = eq < 0 ? -1 : Long.parseLong(o.substring(eq + 1));
            } catch (NumberFormatException e) {
                ceiling = -1;
            }
            if (ceiling < spec.syntax().min() || ceiling > spec.syntax().max()) {
                throw new IllegalArgumentException(
                        "--sysctl-raise "
                                + o
                                + ": give NAME=CEILING, a ceiling within "
                                + spec.syntax().min()
                                + ".."
                                + spec.syntax().max());
            }
            ceilings.put(name, ceiling);
        }
        return new HostSysctlRaises(root, ceilings);
    }

    /**
     * After a container wrote {@code values} to {@code spec}: raises the host's value if allowed
     * and lower.
     */
    public synchronized void raise(SysctlSpec spec, long[] values) {
        Long ceiling = ceilings.get(spec.name());
        if (ceiling == null) {
            return;
        }
        long target = Math.min(values[0], ceiling);
        Path file = root.resolve(spec.path().substring(1));
        try {
            // One read at offset 0: a sysctl answers a read at any other offset with EOF, so
            // Files.readString, which reads a size-0 file in pieces, would see "2" of "262144".
            long host = spec.syntax().parseShown(FileCalls.readText(file.toString()))[0];
            if (target > host) {
                Files.writeString(file, target + "\n", StandardCharsets.US_ASCII);
                LOG.info("raised the host's " + spec.name() + " from " + host + " to " + target);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning(
                    "cannot raise the host's "
                            + spec.name()
                            + " to "
                            + target
                            + ": "
                            + e.getMessage());
        }
    }
}
