package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Dist;
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
 * nestlet-runtime's command line: engines call it as they call runc; it must pass every argument
 * through unchanged (minus its own flag), ask nestletd only on create and run, and refuse to start
 * anything when nestletd is away. The "runtime" here is a script that records its argv.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShimArgvIT {
    private TestDir dir;
    private Path fake;
    private Path argvLog;

    @BeforeAll
    void setUp() throws Exception {
        dir = new TestDir("argv");
        argvLog = dir.resolve("argv.log");
        fake = dir.resolve("fake-runc");
        Files.writeString(
                fake,
                "#!/bin/sh\nfor a in \"$0\" \"$@\"; do printf '%s\\n' \"$a\"; done > "
                        + argvLog
                        + "\n");
        fake.toFile().setExecutable(true);
    }

    @AfterAll
    void tearDown() {
        dir.close();
    }

    private Cmd.Result shim(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Dist.bin("nestlet-runtime").toString()));
        cmd.addAll(List.of(args));
        return Cmd.of(cmd).env(env).run();
    }

    private List<String> recorded() throws Exception {
        List<String> l = Files.readAllLines(argvLog);
        Files.delete(argvLog);
        return l;
    }

    @Test
    void otherVerbsPassThroughUnchangedWithoutNestletd() throws Exception {
        Map<String, String> env = Map.of("NESTLET_SOCKET", dir.resolve("absent.sock").toString());
        shim(
                        env,
                        "--nestlet-runtime=" + fake,
                        "--root",
                        "/run/x",
                        "--log",
                        "/l",
                        "--log-format=json",
                        "--systemd-cgroup",
                        "state",
                        "abc")
                .ok();
        assertEquals(
                List.of(
                        fake.toString(),
                        "--root",
                        "/run/x",
                        "--log",
                        "/l",
                        "--log-format=json",
                        "--systemd-cgroup",
                        "state",
                        "abc"),
                recorded());
        shim(env, "--nestlet-runtime", fake.toString(), "delete", "--force", "abc").ok();
        assertEquals(List.of(fake.toString(), "delete", "--force", "abc"), recorded());
        shim(
                        Map.of(
                                "NESTLET_RUNTIME",
                                fake.toString(),
                                "NESTLET_SOCKET",
                                "/nonexistent"),
                        "--version")
                .ok();
        assertEquals(List.of(fake.toString(), "--version"), recorded());
    }

    @Test
    void runtimeFromConfigFile() throws Exception {
        Path conf = dir.resolve("runtime.conf");
        Files.writeString(conf, "# which runtime\nruntime = " + fake + "\n");
        shim(Map.of("NESTLET_RUNTIME_CONFIG", conf.toString()), "kill", "abc", "KILL").ok();
        assertEquals(List.of(fake.toString(), "kill", "abc", "KILL"), recorded());
    }

    @Test
    void createWithoutNestletdNeverReachesTheRuntime() throws Exception {
        Path sock = dir.resolve("absent.sock");
        Path log = dir.resolve("runtime.log");
        Cmd.Result r =
                shim(
                        Map.of("NESTLET_SOCKET", sock.toString()),
                        "--nestlet-runtime=" + fake,
                        "--root",
                        "/run/x",
                        "--log",
                        log.toString(),
                        "--log-format",
                        "json",
                        "create",
                        "--bundle",
                        dir.path().toString(),
                        "--pid-file",
                        "/p",
                        "--console-socket",
                        "/c",
                        "abc");
        assertNotEquals(0, r.exit());
        assertTrue(
                r.err().contains("cannot prepare container abc")
                        && r.err().contains("not reachable at " + sock),
                r.err());
        assertTrue(!Files.exists(argvLog), "the runtime never ran");
        String logged = Files.readString(log);
        assertTrue(
                logged.startsWith(
                        "{\"level\":\"error\",\"msg\":\"nestlet: cannot prepare container abc"),
                "the engine's runtime log tells why: " + logged);
    }

    @Test
    void createWithoutAnIdIsAUsageError() {
        Cmd.Result r = shim(Map.of(), "--nestlet-runtime=" + fake, "create", "--bundle", "/b");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("create without a container id"), r.err());
    }
}
