package dev.nestlet.cli;

import dev.nestlet.doctor.CheckResult;
import dev.nestlet.doctor.Doctor;
import dev.nestlet.doctor.DoctorSettings;
import dev.nestlet.kernel.KernelVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * nestletctl doctor: what this node lacks for nestlet, one line per check; exit 1 when a check
 * fails. The paths default to nestletd's defaults; tests point them at files of their own.
 */
@Command(
        name = "doctor",
        description = "Check this node for everything nestlet needs; a fix for each failure.")
final class DoctorCommand extends Nestletctl.Sub {
    @Option(names = "--state-dir", description = "nestletd's state dir (default: ${DEFAULT-VALUE})")
    Path stateDir = Path.of("/var/lib/nestlet");

    @Option(names = "--subuid", description = "default: ${DEFAULT-VALUE}")
    Path subuid = Path.of("/etc/subuid");

    @Option(names = "--subgid", description = "default: ${DEFAULT-VALUE}")
    Path subgid = Path.of("/etc/subgid");

    @Option(
            names = "--id-user",
            description = "the pool's user in those files (default: ${DEFAULT-VALUE})")
    String idUser = "nestlet";

    @Option(names = "--range-size", description = "ids per container (default: ${DEFAULT-VALUE})")
    long rangeSize = 65536;

    @Option(names = "--fuse-device", description = "default: ${DEFAULT-VALUE}")
    Path fuseDevice = Path.of("/dev/fuse");

    @Option(
            names = "--engine-root",
            description =
                    "where the engines' config files are looked up (default: ${DEFAULT-VALUE})")
    Path engineRoot = Path.of("/");

    @Option(
            names = "--kernel-compat",
            paramLabel = "VERSION",
            description =
                    "nestletd's --kernel-compat: report the features it turns off (default: none)")
    String kernelCompat;

    @Override
    public Integer call() throws IOException {
        boolean json = parent.json();
        ApiClient client = parent.client();
        DoctorSettings settings =
                new DoctorSettings(
                        stateDir,
                        client.socket(),
                        subuid,
                        subgid,
                        idUser,
                        rangeSize,
                        fuseDevice,
                        engineRoot,
                        home().resolve("bin/nestlet-userns"),
                        Optional.ofNullable(kernelCompat).map(KernelVersion::parse));
        List<CheckResult> results =
                Doctor.of(settings, () -> client.call(client.newRequest("status"))).run();
        String out = json ? Doctor.json(results) : Doctor.text(results);
        System.out.write(out.getBytes(StandardCharsets.UTF_8));
        System.out.flush();
        return Doctor.passed(results) ? 0 : Nestletctl.EXIT_ERROR;
    }

    /** The install tree, which the launcher names (bin/nestletctl-java). */
    private static Path home() {
        String home = System.getProperty("nestlet.home");
        if (home == null) {
            throw new IllegalStateException(
                    "nestlet.home is not set: run nestletctl doctor through bin/nestletctl");
        }
        return Path.of(home);
    }
}
