package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.ProcFiles;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 13: through nestlet-runtime, the virtual files the runtime can mount are binds in the
 * config.json prepare writes, made by the runtime itself; the container reads its own values
 * through them, and its sysctls (and /sys/devices/system/cpu/online) are still bound by nestletd at
 * createRuntime.
 */
class ConfigBindsIT extends DaemonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the runtime can bind: the virtual files below /proc but the sysctls. */
    private static final List<String> IN_CONFIG =
            ProcFiles.VIRTUAL.stream().filter(p -> p.startsWith("/proc/")).toList();

    @Override
    protected String name() {
        return "cfgbinds";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        return SubIds.pool(testDir, 3_500_000, 2 * 65536);
    }

    @ParameterizedTest
    @EnumSource(OciRuntime.class)
    void runtimeBindsTheVirtualFilesFromConfig(OciRuntime rt) throws Exception {
        String id = TestDir.unique("cfg-" + rt.binary());
        Path bundle = dir.resolve(id);
        new Spec(Rootfs.busybox(bundle.resolve("rootfs")), "sleep", "300")
                .resources(VirtualFilesIT.MEMORY, "0", 50_000, 100_000)
                .cgroupsPath("/" + id)
                .writeTo(bundle);
        try (Container c =
                Container.viaShim(rt, daemon, dir.resolve("rt-" + rt.binary()), bundle, id)) {
            c.startDetached();
            Path view = daemon.stateDir().resolve("vfs").resolve(id);
            Map<String, String> expected = new TreeMap<>();
            IN_CONFIG.forEach(p -> expected.put(p, view + p + " bind,ro,nosuid,nodev,noexec"));
            assertEquals(
                    expected,
                    bindsFrom(JSON.readTree(Files.readString(bundle.resolve("config.json"))), view),
                    "config.json binds the /proc files");

            Map<String, String> mounted = fuseMounts(c);
            IN_CONFIG.forEach(
                    p -> assertEquals("fuse.nestlet", mounted.get(p), p + " is nestlet's"));
            assertTrue(
                    mounted.keySet().stream().anyMatch(p -> p.startsWith("/proc/sys/")),
                    "sysctls bound at createRuntime: " + mounted);
            Map<String, Long> mem = ProcFiles.meminfo(c.exec("cat", "/proc/meminfo").ok().out());
            assertEquals(262144L, mem.get("MemTotal"), "the container's own MemTotal: " + mem);
            assertEquals(
                    "fuse.nestlet",
                    mounted.get("/sys/devices/system/cpu/online"),
                    "bound at createRuntime");
            assertEquals("0", c.exec("cat", "/sys/devices/system/cpu/online").ok().out().trim());
            c.kill();
            c.delete().ok();
        }
    }

    /** Destination -> "source options" of the config's binds of files below {@code view}. */
    private static Map<String, String> bindsFrom(JsonNode cfg, Path view) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode m : cfg.path("mounts")) {
            if (m.path("source").asText().startsWith(view + "/")) {
                List<String> opts = new ArrayList<>();
                m.path("options").forEach(o -> opts.add(o.asText()));
                out.put(
                        m.path("destination").asText(),
                        m.path("source").asText() + " " + String.join(",", opts));
            }
        }
        return out;
    }

    /** Mount point -> file system type of nestlet's FUSE mounts inside. */
    private static Map<String, String> fuseMounts(Container c) {
        Map<String, String> out = new TreeMap<>();
        for (String line : c.exec("cat", "/proc/self/mountinfo").ok().out().lines().toList()) {
            List<String> f = List.of(line.split(" "));
            String type = f.get(f.indexOf("-") + 1);
            if (type.startsWith("fuse.nestlet")) {
                out.put(f.get(4), type);
            }
        }
        return out;
    }
}
