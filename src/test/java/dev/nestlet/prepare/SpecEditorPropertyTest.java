package dev.nestlet.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.idmap.IdRange;
import dev.nestlet.json.RandomJson;
import dev.nestlet.props.Cases;
import dev.nestlet.seccomp.SeccompProfiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * config.json editing under generated configs: any JSON object, with the keys of an OCI config
 * holding values of every type, goes through prepare's edits (those that touch no file) in
 * prepare's order. The result is a clear error ({@link NestletException}, bad_bundle), or a config
 * that parses again and has what a system container needs: a user namespace on the range, the
 * cgroup namespace, nestlet-hook, the new root and the markers.
 */
class SpecEditorPropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final IdRange RANGE = new IdRange(400000, 400000, 65536);
    private static final Path HOOK = Path.of("/usr/lib/nestlet/bin/nestlet-hook");

    private static final List<String> WORDS =
            List.of(
                    "ociVersion",
                    "process",
                    "root",
                    "path",
                    "readonly",
                    "mounts",
                    "destination",
                    "source",
                    "type",
                    "options",
                    "bind",
                    "rbind",
                    "ro",
                    "proc",
                    "sysfs",
                    "cgroup",
                    "/proc",
                    "/sys",
                    "/sys/fs/cgroup",
                    "/proc/sys",
                    "linux",
                    "namespaces",
                    "user",
                    "network",
                    "uidMappings",
                    "gidMappings",
                    "containerID",
                    "hostID",
                    "size",
                    "capabilities",
                    "bounding",
                    "effective",
                    "hooks",
                    "createRuntime",
                    "poststop",
                    "annotations",
                    "sysctl",
                    "maskedPaths",
                    "readonlyPaths",
                    "seccomp",
                    "defaultAction",
                    "syscalls",
                    "names",
                    "action",
                    "apparmorProfile",
                    "selinuxLabel",
                    "system_u:system_r:container_t:s0:c1,c2",
                    "container_t",
                    "io.nestlet.mode",
                    "system",
                    "net.ipv4.ping_group_range",
                    "0 2147483647",
                    "1 x");

    @Test
    void anyObjectBecomesASystemContainersConfigOrAClearError() {
        Cases.forAll(r -> RandomJson.object(r, 3, WORDS), SpecEditorPropertyTest::holds);
    }

    /**
     * Coverage-guided ({@code make fuzz}): config.json as any bytes; what does not parse as a JSON
     * object is refused by the bundle reader before these edits, so it is skipped here.
     */
    @FuzzTest(maxDuration = "2m")
    void anyBytesBecomeASystemContainersConfigOrAClearError(byte[] data) throws Exception {
        JsonNode parsed;
        try {
            parsed = JSON.readTree(data);
        } catch (IOException e) {
            return;
        }
        if (parsed instanceof ObjectNode o) {
            holds(o);
        }
    }

    private static void holds(ObjectNode generated) throws Exception {
        ObjectNode cfg = generated.deepCopy();
        try {
            edit(cfg);
        } catch (NestletException e) {
            assertEquals(ErrorCode.BAD_BUNDLE, e.code(), e.getMessage());
            return;
        }
        // Written and read back, it says the same (numbers may come back as other node types).
        String written = JSON.writeValueAsString(cfg);
        assertEquals(written, JSON.writeValueAsString(JSON.readTree(written)));
        assertTrue(hasNamespace(cfg, "user") && hasNamespace(cfg, "cgroup"), cfg.toString());
        assertEquals(RANGE, SpecEditor.existingMapping(cfg).orElseThrow(), cfg.toString());
        assertEquals("/shifted", cfg.path("root").path("path").asText(), cfg.toString());
        assertEquals("true", SpecEditor.annotation(cfg, SpecEditor.PREPARED));
        boolean hooked = false;
        for (JsonNode h : cfg.path("hooks").path("createRuntime")) {
            hooked |= HOOK.toString().equals(h.path("path").asText());
        }
        assertTrue(hooked, cfg.toString());
        for (JsonNode m : cfg.path("mounts")) {
            assertTrue(m.isObject(), cfg.toString());
            assertNotEquals("", m.path("destination").asText(), cfg.toString());
        }
    }

    private static boolean hasNamespace(ObjectNode cfg, String type) {
        for (JsonNode ns : cfg.path("linux").path("namespaces")) {
            if (type.equals(ns.path("type").asText())) {
                return true;
            }
        }
        return false;
    }

    /** What prepare does to config.json once the range is chosen, but for the file system work. */
    private static void edit(ObjectNode cfg) {
        SpecEditor.checkShape(cfg);
        SpecEditor.existingMapping(cfg);
        SpecEditor.allMappings(cfg);
        SpecEditor.hostBinds(cfg);
        SpecEditor.setUserNamespace(cfg, RANGE);
        SpecEditor.fitSysctlsToRange(cfg, RANGE.size());
        SpecEditor.setRoot(cfg, Path.of("/shifted"));
        SpecEditor.addBind(cfg, "/var/lib/docker", Path.of("/var/lib/nestlet/data/c/docker"));
        SpecEditor.addCgroupNamespace(cfg);
        SpecEditor.fullCapabilities(cfg);
        SpecEditor.writableCgroupMount(cfg);
        SpecEditor.writableProcSys(cfg);
        SpecEditor.bindSysWhenNetnsIsJoined(cfg);
        if (SpecEditor.ownsItsNetwork(cfg, (net, user) -> false)) {
            SpecEditor.writableSys(cfg);
        }
        SpecEditor.addTunDevice(cfg, Path.of("/var/lib/nestlet/devices/net-tun"));
        SpecEditor.mountsKernelFsOf(cfg, "/proc/meminfo");
        SpecEditor.systemAppArmorProfile(cfg);
        SpecEditor.systemSelinuxLabel(cfg, l -> true);
        SpecEditor.addHooks(
                cfg,
                HOOK,
                Path.of("/run/nestlet/nestlet.sock"),
                List.of("createRuntime", "poststop"));
        cfg.setAll(SeccompProfiles.forSystemContainer(cfg, Path.of("/run/nestlet/seccomp.sock")));
        SpecEditor.markSystem(cfg);
    }
}
