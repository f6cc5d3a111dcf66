package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.Mounts;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Quiet;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Images whose /var/lib/docker or /var/lib are symlinks to /etc, absolute or through "..": nestlet
 * must never mount or create anything outside the container's root. The mount lands where the link
 * points inside that root, as the container itself would resolve it, or the container fails
 * clearly.
 */
@Quiet
class HostileRootfsIT extends DaemonTest {
    @Override
    protected String name() {
        return "hostile";
    }

    static Stream<Arguments> links() {
        return Stream.of(
                Arguments.of("var/lib/docker", "/etc"),
                Arguments.of("var/lib/docker", "../../../etc"),
                Arguments.of("var/lib/docker", "../../../../../../../../etc/docker"),
                Arguments.of("var/lib", "/etc"),
                Arguments.of("var/lib", "../../../../../etc"),
                Arguments.of("var/lib", "/proc/self/root/etc"));
    }

    @ParameterizedTest(name = "/{0} -> {1}")
    @MethodSource("links")
    void symlinkInImageNeverEscapesTheRoot(String link, String target) throws Exception {
        String id = TestDir.unique("hostile");
        Path bundle = dir.resolve(id);
        Path rootfs = Rootfs.busybox(bundle.resolve("rootfs"));
        Path linkPath = rootfs.resolve(link);
        Files.createDirectories(linkPath.getParent());
        Files.createSymbolicLink(linkPath, Path.of(target));
        new Spec(rootfs, "cat", "/proc/self/mountinfo")
                .system()
                .nestletHooks(daemon.socket())
                .writeTo(bundle);

        List<String> hostMountsBefore = Mounts.mountPoints();
        String hostEtcBefore = listing(Path.of("/etc"));
        Cmd.Result r = new Container(OciRuntime.RUNC, dir.resolve("rt-root"), bundle, id).run();

        assertEquals(hostEtcBefore, listing(Path.of("/etc")), "nothing created in the host's /etc");
        assertEquals(hostMountsBefore, Mounts.mountPoints(), "no mount appeared on the host");
        if (r.exit() == 0) {
            String data = daemon.stateDir().resolve("data").resolve(id).toString();
            List<String> inside =
                    r.out()
                            .lines()
                            .filter(l -> l.split(" ")[3].startsWith(data + "/"))
                            .map(l -> l.split(" ")[4])
                            .toList();
            assertEquals(3, inside.size(), "three data dirs mounted inside:\n" + r.out());
            for (String p : inside) {
                // Seen from inside; each must exist under the rootfs on the host side too.
                assertTrue(
                        Files.isDirectory(rootfs.resolve(p.substring(1))),
                        p + " lies inside the rootfs");
            }
        } else {
            assertTrue(r.err().contains("unsafe_path"), "a clear error: " + r.err());
        }
        assertEquals(0, daemon.ps().size(), "released after the run");
    }

    private static String listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return String.join("\n", s.map(Path::toString).sorted().toList());
        }
    }
}
