package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * `nestlet-runtime features` as containerd 2.x reads it (JSON of the OCI features document): the
 * wrapped runtime's, here runc 1.3.6's recorded output, with user namespaces and the idmap mount
 * extension kept only where the kernel offers them (on the state dir's filesystem for idmap).
 * containerd 2.1 admitting a hostUsers:false pod through the handler is KubePodsIT's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RuntimeFeaturesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private TestDir dir;
    private Path recorded;
    private Path fake;

    @BeforeAll
    void setUp() throws Exception {
        Root.require();
        dir = new TestDir("features");
        recorded =
                Path.of(System.getProperty("nestlet.testResources", "src/test/resources"))
                        .resolve("features/runc-1.3.6.json");
        fake = dir.resolve("fake-runtime");
        Files.writeString(
                fake, "#!/bin/sh\n[ \"$1\" = features ] || exit 9\ncat " + recorded + "\n");
        fake.toFile().setExecutable(true);
    }

    @AfterAll
    void tearDown() {
        if (dir != null) {
            dir.close();
        }
    }

    private JsonNode features(String stateDir, List<String> prefix, Path runtime) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(
                List.of(
                        Dist.bin("nestlet-runtime").toString(),
                        "--nestlet-runtime=" + runtime,
                        "features"));
        Cmd.Result r = Cmd.of(cmd).env(Map.of("NESTLET_STATE_DIR", stateDir)).run().ok();
        return JSON.readTree(r.out());
    }

    private static boolean hasUser(JsonNode f) {
        for (JsonNode n : f.path("linux").path("namespaces")) {
            if (n.asText().equals("user")) {
                return true;
            }
        }
        return false;
    }

    private static boolean idmap(JsonNode f) {
        return f.path("linux").path("mountExtensions").path("idmap").path("enabled").asBoolean();
    }

    @Test
    void keepsTheRuntimesClaimsWhereTheKernelOffersThem() throws Exception {
        JsonNode f = features(dir.path().toString(), List.of(), fake);
        assertEquals(JSON.readTree(recorded.toFile()), f, "everything as the runtime said it");
        assertTrue(hasUser(f));
        assertTrue(idmap(f));
    }

    @Test
    void noIdmapWhereTheStateDirsFilesystemRefusesIt() throws Exception {
        JsonNode f = features("/proc", List.of(), fake); // procfs: mount_setattr IDMAP gives EINVAL
        assertFalse(idmap(f));
        assertTrue(hasUser(f));
        ObjectNode expected = (ObjectNode) JSON.readTree(recorded.toFile());
        ((ObjectNode) expected.path("linux").path("mountExtensions").path("idmap"))
                .put("enabled", false);
        assertEquals(expected, f, "only idmap changed");
    }

    /** In a chroot the kernel refuses new user namespaces (EPERM): neither is claimed. */
    @Test
    void noUserNamespacesWhereTheKernelRefusesThem() throws Exception {
        Path root = Files.createDirectories(dir.resolve("chroot"));
        Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        Files.copy(Dist.bin("nestlet-runtime"), root.resolve("bin/nestlet-runtime"));
        Files.copy(recorded, root.resolve("features.json"));
        Path rt = root.resolve("bin/rt");
        Files.writeString(rt, "#!/bin/busybox sh\n/bin/busybox cat /features.json\n");
        rt.toFile().setExecutable(true);
        Cmd.Result r =
                Cmd.of(
                                "chroot",
                                root.toString(),
                                "/bin/nestlet-runtime",
                                "--nestlet-runtime=/bin/rt",
                                "features")
                        .run()
                        .ok();
        JsonNode f = JSON.readTree(r.out());
        assertFalse(hasUser(f));
        assertFalse(idmap(f));
        ObjectNode expected = (ObjectNode) JSON.readTree(recorded.toFile());
        ArrayNode ns = (ArrayNode) expected.path("linux").path("namespaces");
        for (int i = ns.size() - 1; i >= 0; i--) {
            if (ns.get(i).asText().equals("user")) {
                ns.remove(i);
            }
        }
        ((ObjectNode) expected.path("linux").path("mountExtensions").path("idmap"))
                .put("enabled", false);
        assertEquals(expected, f, "only user and idmap changed");
    }

    @Test
    void theRuntimesFailureIsPassedOn() throws Exception {
        Path failing = dir.resolve("failing-runtime");
        Files.writeString(failing, "#!/bin/sh\necho broken >&2\nexit 3\n");
        failing.toFile().setExecutable(true);
        Cmd.Result r =
                Cmd.of(
                                Dist.bin("nestlet-runtime").toString(),
                                "--nestlet-runtime=" + failing,
                                "features")
                        .run();
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("broken"), r.err());
    }
}
