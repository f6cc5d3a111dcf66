package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.RawClient;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.TestDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input on the socket: each gets a clear error code, and the daemon keeps serving the next good
 * request.
 */
class ProtocolIT extends DaemonTest {
    @Override
    protected String name() {
        return "protocol";
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private Path bundle;

    @BeforeAll
    void writeBundle() throws Exception {
        bundle = dir.resolve("bundle");
        new Spec(Rootfs.busybox(bundle.resolve("rootfs")), "true").system().writeTo(bundle);
    }

    /** After every bad request: the daemon is alive and answers a good one. */
    @AfterEach
    void stillServing() throws IOException {
        assertTrue(daemon.alive(), "nestletd is still running");
        JsonNode r = daemon.request("{\"v\":1,\"op\":\"status\"}");
        assertTrue(r.path("ok").asBoolean(), "status answers after a bad request: " + r);
    }

    private String code(String raw) throws IOException {
        JsonNode r = JSON.readTree(new RawClient(daemon.socket()).exchange(raw));
        assertFalse(r.path("ok").asBoolean(true), "refused: " + r);
        assertFalse(r.path("error").path("message").asText().isBlank(), "with a message: " + r);
        return r.path("error").path("code").asText();
    }

    private String hook(String stage, int pid, String bundlePath) {
        return "{\"v\":1,\"op\":\"hook\",\"stage\":\""
                + stage
                + "\",\"state\":{\"ociVersion\":\"1.0.2\",\"id\":\""
                + TestDir.unique("p")
                + "\",\"status\":\"created\",\"pid\":"
                + pid
                + ",\"bundle\":\""
                + bundlePath
                + "\",\"annotations\":{\"io.nestlet.mode\":\"system\"}}}\n";
    }

    @Test
    void malformedJson() throws IOException {
        assertEquals("bad_json", code("{\"v\":1,\"op\":\n"));
        assertEquals("bad_json", code("[1,2,3]\n"));
        assertEquals("bad_json", code("\u0000\u0001garbage\n"));
    }

    @Test
    void tenMebibyteLine() throws IOException {
        byte[] big = new byte[10 << 20];
        Arrays.fill(big, (byte) 'a');
        big[big.length - 1] = '\n';
        JsonNode r = JSON.readTree(new RawClient(daemon.socket()).exchange(big));
        assertEquals("too_large", r.path("error").path("code").asText(), r.toString());
    }

    @Test
    void unknownOpAndVersionAndField() throws IOException {
        assertEquals("unknown_op", code("{\"v\":1,\"op\":\"format-disk\"}\n"));
        assertEquals("bad_version", code("{\"v\":2,\"op\":\"status\"}\n"));
        assertEquals("bad_version", code("{\"op\":\"status\"}\n"));
        assertEquals("bad_request", code("{\"v\":1,\"op\":\"status\",\"extra\":true}\n"));
        assertEquals("bad_request", code("{\"v\":1}\n"));
    }

    @Test
    void unknownContainerAndHostileIds() throws IOException {
        assertEquals(
                "not_found", code("{\"v\":1,\"op\":\"inspect\",\"id\":\"no-such-container\"}\n"));
        String hostile =
                hook("createRuntime", 1, bundle.toString())
                        .replaceFirst("\"id\":\"[^\"]+\"", "\"id\":\"../../etc\"");
        assertEquals("bad_request", code(hostile));
    }

    @Test
    void pidThatDoesNotExist() throws IOException {
        int pid = unusedPid();
        assertEquals("no_such_process", code(hook("createRuntime", pid, bundle.toString())));
    }

    @Test
    void pidReusedByAnotherProcess() throws Exception {
        // A host process, as a reused pid would be: it is not the init of any container.
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            assertEquals(
                    "pid_mismatch",
                    code(hook("createRuntime", (int) sleeper.pid(), bundle.toString())));
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void bundleThatDoesNotExistOrIsBroken() throws IOException {
        assertEquals(
                "no_bundle",
                code(hook("createRuntime", 1, dir.resolve("no-such-bundle").toString())));
        assertEquals("no_bundle", code(hook("createRuntime", 1, "relative/bundle")));
        Path empty = dir.resolve("empty-bundle");
        Files.createDirectories(empty);
        assertEquals("bad_bundle", code(hook("createRuntime", 1, empty.toString())));
        Path broken = dir.resolve("broken-bundle");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("config.json"), "{not json");
        assertEquals("bad_bundle", code(hook("createRuntime", 1, broken.toString())));
    }

    @Test
    void nonRootClientCannotConnectToTheDefaultSocket() throws IOException {
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.socket())));
        Cmd.Result r = asNobody();
        assertNotEquals(0, r.exit());
        assertTrue(
                r.err().contains("not reachable at " + daemon.socket())
                        && r.err().contains("Permission denied"),
                r.err());
    }

    @Test
    void nonRootClientIsRefusedEvenWhenTheSocketModeLetsItIn() throws IOException {
        Files.setPosixFilePermissions(
                daemon.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
        try {
            Cmd.Result r = asNobody();
            assertNotEquals(0, r.exit());
            assertTrue(r.err().contains("forbidden") && r.err().contains("uid 65534"), r.err());
        } finally {
            Files.setPosixFilePermissions(
                    daemon.socket(), PosixFilePermissions.fromString("rw-------"));
        }
    }

    private Cmd.Result asNobody() {
        return Cmd.of(
                        "setpriv",
                        "--reuid",
                        "65534",
                        "--regid",
                        "65534",
                        "--clear-groups",
                        Dist.bin("nestlet-hook").toString(),
                        "--socket",
                        daemon.socket().toString(),
                        "--timeout",
                        "5",
                        "createRuntime")
                .stdin("{\"id\":\"x\"}")
                .run();
    }

    private static int unusedPid() {
        for (int pid = 4_000_000; pid > 100_000; pid -= 7919) {
            if (!Files.exists(Path.of("/proc/" + pid))) {
                return pid;
            }
        }
        throw new AssertionError("no unused pid found");
    }
}
