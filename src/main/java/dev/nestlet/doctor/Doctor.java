package dev.nestlet.doctor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.json.Json;
import dev.nestlet.kernel.KernelFeature;
import dev.nestlet.kernel.KernelFeatures;
import dev.nestlet.lsm.Selinux;
import dev.nestlet.shift.UserNamespaces;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code nestletctl doctor}: every check, in order, each reported on its own line. */
public final class Doctor {
    private static final Path PROC_SYS = Path.of("/proc/sys");
    private static final Path SYS = Path.of("/sys");

    private final List<Check> checks;

    Doctor(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    /** The checks of a node, with the paths {@code settings} gives. */
    public static Doctor of(DoctorSettings settings, DaemonProbe daemon) throws IOException {
        KernelFeatures kernel =
                new KernelFeatures(KernelFeatures.running(), settings.kernelCompat(), Map.of());
        UserNamespaces namespaces = new UserNamespaces(settings.usernsHelper());
        List<Check> checks = new ArrayList<>();
        checks.add(new KernelCheck(kernel));
        checks.add(new UserNamespacesCheck(PROC_SYS));
        for (KernelFeature f : KernelFeature.values()) {
            checks.add(new FeatureCheck(f, settings.stateDir(), namespaces::forProbes, kernel));
        }
        checks.add(new FuseCheck(settings.fuseDevice()));
        checks.add(new CgroupCheck());
        checks.add(new AppArmorCheck(SYS));
        checks.add(new AppArmorUsernsCheck(PROC_SYS));
        checks.add(new SelinuxCheck(Selinux.host()));
        checks.add(new SubIdPoolCheck(settings));
        checks.addAll(EngineCheck.all(settings.engineRoot()));
        checks.add(new DaemonCheck(settings.socket(), daemon));
        return new Doctor(checks);
    }

    /** Runs every check; one that throws comes out as {@link Check#whenThrown} with its message. */
    public List<CheckResult> run() {
        List<CheckResult> out = new ArrayList<>();
        for (Check c : checks) {
            try {
                out.add(c.run());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.add(new CheckResult(c.whenThrown(), c.name(), "interrupted", c.fix()));
            } catch (Exception e) {
                String why = e.getMessage() != null ? e.getMessage() : e.toString();
                out.add(new CheckResult(c.whenThrown(), c.name(), why, c.fix()));
            }
        }
        return out;
    }

    /** True when no check failed (warnings allowed). */
    public static boolean passed(List<CheckResult> results) {
        return results.stream().noneMatch(r -> r.status() == Status.FAIL);
    }

    /** One line per check, {@code fix:} below each that did not pass. */
    public static String text(List<CheckResult> results) {
        int width = results.stream().mapToInt(r -> r.name().length()).max().orElse(0);
        StringBuilder b = new StringBuilder();
        for (CheckResult r : results) {
            b.append(
                    String.format(
                            "%-4s  %-" + width + "s  %s%n",
                            r.status().word(),
                            r.name(),
                            r.detail()));
            if (r.status() != Status.OK && !r.fix().isEmpty()) {
                b.append(String.format("%-4s  %-" + width + "s  fix: %s%n", "", "", r.fix()));
            }
        }
        long failed = results.stream().filter(r -> r.status() == Status.FAIL).count();
        long warned = results.stream().filter(r -> r.status() == Status.WARN).count();
        b.append(
                String.format(
                        "%d checks, %d failed, %d warnings%n", results.size(), failed, warned));
        return b.toString();
    }

    /** The same as JSON: {"ok": ..., "checks": [{"status", "name", "detail", "fix"}...]}. */
    public static String json(List<CheckResult> results) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("ok", passed(results));
        ArrayNode list = root.putArray("checks");
        for (CheckResult r : results) {
            ObjectNode o = list.addObject();
            o.put("status", r.status().word());
            o.put("name", r.name());
            o.put("detail", r.detail());
            o.put("fix", r.status() == Status.OK ? "" : r.fix());
        }
        return Json.pretty(root);
    }
}
