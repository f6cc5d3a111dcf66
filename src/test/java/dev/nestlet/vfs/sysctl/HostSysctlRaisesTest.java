package dev.nestlet.vfs.sysctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raise-only host sysctls, against a host tree in a temporary directory (the real host is never
 * written).
 */
class HostSysctlRaisesTest {
    private static final List<SysctlSpec> CATALOG = SysctlCatalog.all(250);

    private static SysctlSpec spec(String name) {
        return CATALOG.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void raisesUpToTheCeilingAndNeverLowers(@TempDir Path root) throws Exception {
        Path file =
                Files.createDirectories(root.resolve("proc/sys/net/netfilter"))
                        .resolve("nf_conntrack_max");
        Files.writeString(file, "65536\n");
        SysctlSpec max = spec("net.netfilter.nf_conntrack_max");
        HostSysctlRaises r =
                HostSysctlRaises.parse(
                        root, List.of("net.netfilter.nf_conntrack_max=262144"), CATALOG);
        r.raise(max, new long[] {131072});
        assertEquals("131072\n", Files.readString(file), "raised to what the container asked");
        r.raise(max, new long[] {1000});
        assertEquals("131072\n", Files.readString(file), "never lowered");
        r.raise(max, new long[] {1 << 30});
        assertEquals("262144\n", Files.readString(file), "no higher than the ceiling");
        Files.writeString(file, "1048576\n");
        r.raise(max, new long[] {524288});
        assertEquals("1048576\n", Files.readString(file), "a host already above is left alone");
    }

    @Test
    void nothingIsRaisedWithoutACeiling(@TempDir Path root) throws Exception {
        Path file =
                Files.createDirectories(root.resolve("proc/sys/fs/inotify"))
                        .resolve("max_user_instances");
        Files.writeString(file, "128\n");
        HostSysctlRaises none = HostSysctlRaises.parse(root, List.of(), CATALOG);
        none.raise(spec("fs.inotify.max_user_instances"), new long[] {8192});
        assertEquals("128\n", Files.readString(file));
    }

    @Test
    void onlyRaisableSysctlsWithACeilingInRange() {
        Path root = Path.of("/nonexistent");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> HostSysctlRaises.parse(root, List.of("kernel.panic=10"), CATALOG));
        assertTrue(
                e.getMessage().contains("may not be raised")
                        && e.getMessage().contains("nf_conntrack_max"),
                e.getMessage());
        for (String bad :
                List.of(
                        "net.netfilter.nf_conntrack_max",
                        "net.netfilter.nf_conntrack_max=lots",
                        "net.netfilter.nf_conntrack_max=-1",
                        "kernel.keys.maxkeys=0",
                        "no.such.sysctl=1")) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> HostSysctlRaises.parse(root, List.of(bad), CATALOG),
                    bad);
        }
    }
}
