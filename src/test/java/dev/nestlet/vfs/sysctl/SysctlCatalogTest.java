package dev.nestlet.vfs.sysctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog's shape and the kernel HZ it is built for. */
class SysctlCatalogTest {
    @Test
    void namesAndPathsAreUniqueAndSharedValuesAgree() {
        List<SysctlSpec> all = SysctlCatalog.all(250);
        Set<String> names = new HashSet<>();
        Set<String> paths = new HashSet<>();
        for (SysctlSpec s : all) {
            assertTrue(names.add(s.name()), "one entry per name: " + s.name());
            assertTrue(paths.add(s.path()), "one entry per file: " + s.path());
            assertTrue(
                    s.path().startsWith("/proc/sys/") || s.path().startsWith("/sys/module/"),
                    s.path());
            assertTrue(
                    !s.raisable() || s.scope() == SysctlSpec.Scope.HOST,
                    "only host values are raised: " + s);
        }
        SysctlSpec forwarding =
                all.stream()
                        .filter(s -> s.name().equals("net.ipv4.conf.all.forwarding"))
                        .findFirst()
                        .orElseThrow();
        assertEquals("net.ipv4.ip_forward", forwarding.valueKey());
        assertEquals("/proc/sys/net/ipv4/conf/all/forwarding", forwarding.path());
    }

    @Test
    void hzFromTheKernelConfig(@TempDir Path root) throws Exception {
        assertEquals(SysctlCatalog.FALLBACK_HZ, SysctlCatalog.kernelHz(root), "nothing to read");
        Files.createDirectories(root.resolve("proc/sys/kernel"));
        Files.writeString(root.resolve("proc/sys/kernel/osrelease"), "6.1.0-test\n");
        Files.createDirectories(root.resolve("boot"));
        Files.writeString(
                root.resolve("boot/config-6.1.0-test"), "CONFIG_HZ_250=y\nCONFIG_HZ=250\n");
        assertEquals(250, SysctlCatalog.kernelHz(root), "Debian's /boot/config-RELEASE");
        try (OutputStream o =
                new GZIPOutputStream(Files.newOutputStream(root.resolve("proc/config.gz")))) {
            o.write("# CONFIG_HZ_100 is not set\nCONFIG_HZ=300\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(300, SysctlCatalog.kernelHz(root), "/proc/config.gz first");
    }
}
