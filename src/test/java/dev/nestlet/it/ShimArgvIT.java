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

    /**
     * Every flag a runtime's help lists, each with a value if the help says it takes one (a "value"
     * or "=VALUE" on the flag, or on the long form of the same line: crun's short flags take what
     * their long ones take).
     */
    static List<List<String>> flagsOf(String help) {
        List<List<String>> out = new ArrayList<>();
        for (String line : help.lines().toList()) {
            String t = line.strip();
            if (!t.startsWith("-") || !line.startsWith(" ")) {
                continue;
            }
            String spec = t.split("\\s{2,}|\\t")[0];
            boolean takesValue = spec.contains("=") || spec.matches(".*--[a-z-]+ value.*");
            for (String token : spec.split(",\\s*")) {
                String flag = token.strip().split("[ =]")[0];
                if (flag.matches("--?[A-Za-z?][A-Za-z-]*")) {
                    out.add(takesValue ? List.of(flag, "VALUE") : List.of(flag));
                }
            }
        }
        return out;
    }

    /**
     * Issue 11: every global flag runc and crun accept leaves create recognised (and so prepared).
     */
    @Test
    void everyGlobalFlagOfBothRuntimesLeavesCreateFound() throws Exception {
        Map<String, String> env = Map.of("NESTLET_SOCKET", dir.resolve("absent.sock").toString());
        List<List<String>> flags = new ArrayList<>();
        for (String rt : List.of("runc", "crun")) {
            flags.addAll(flagsOf(Cmd.of(rt, "--help").run().out()));
        }
        flags.add(List.of("--log-level", "VALUE")); // crun 1.9+ (Debian 12 has 1.8.1)
        assertTrue(flags.size() >= 15, "both helps were read: " + flags);
        assertTrue(
                flags.contains(List.of("--criu", "VALUE"))
                        && flags.contains(List.of("--cgroup-manager", "VALUE"))
                        && flags.contains(List.of("--systemd-cgroup"))
                        && flags.contains(List.of("-V")),
                flags.toString());
        for (List<String> flag : flags) {
            List<String> args = new ArrayList<>(List.of("--nestlet-runtime=" + fake));
            for (String a : flag) {
                args.add(a.equals("VALUE") ? dir.resolve("value").toString() : a);
            }
            args.addAll(List.of("create", "--bundle", dir.path().toString(), "abc"));
            Cmd.Result r = shim(env, args.toArray(String[]::new));
            assertEquals(1, r.exit(), flag + ": " + r.all());
            assertTrue(
                    r.err().contains("cannot prepare container abc"),
                    flag + " hid the verb: " + r.all());
            assertTrue(!Files.exists(argvLog), flag + ": the runtime never ran");
        }
    }

    /** Every flag of create and run in both runtimes' help leaves the container id found. */
    @Test
    void everyCreateAndRunFlagOfBothRuntimesLeavesTheIdFound() throws Exception {
        Map<String, String> env = Map.of("NESTLET_SOCKET", dir.resolve("absent.sock").toString());
        for (String rt : List.of("runc", "crun")) {
            for (String verb : List.of("create", "run")) {
                List<List<String>> flags = flagsOf(Cmd.of(rt, verb, "--help").run().out());
                assertTrue(flags.size() >= 6, rt + " " + verb + ": " + flags);
                for (List<String> flag : flags) {
                    List<String> args = new ArrayList<>(List.of("--nestlet-runtime=" + fake, verb));
                    for (String a : flag) {
                        args.add(
                                a.equals("VALUE")
                                        ? (flag.get(0).equals("-f")
                                                        || flag.get(0).equals("--config")
                                                ? "config.json"
                                                : dir.resolve("value").toString())
                                        : a);
                    }
                    args.addAll(List.of("--bundle", dir.path().toString(), "abc"));
                    Cmd.Result r = shim(env, args.toArray(String[]::new));
                    assertEquals(1, r.exit(), rt + " " + verb + " " + flag + ": " + r.all());
                    assertTrue(
                            r.err().contains("cannot prepare container abc"),
                            rt + " " + verb + " " + flag + ": " + r.all());
                    assertTrue(!Files.exists(argvLog), flag + ": the runtime never ran");
                }
            }
        }
    }

    /** What the shim cannot parse for sure, it refuses: never an unprepared container. */
    @Test
    void anUnparsableCreateIsRefusedNotPassedOn() throws Exception {
        Map<String, String> env = Map.of("NESTLET_SOCKET", dir.resolve("absent.sock").toString());
        for (List<String> args :
                List.of(
                        List.of("--frobnicate", "x", "create", "--bundle", "/b", "abc"),
                        List.of("create", "--frobnicate", "x", "abc"),
                        List.of(
                                "create",
                                "-f",
                                "other.json",
                                "--bundle",
                                dir.path().toString(),
                                "abc"),
                        List.of("run", "--config=/elsewhere/config.json", "abc"))) {
            List<String> all = new ArrayList<>(List.of("--nestlet-runtime=" + fake));
            all.addAll(args);
            Cmd.Result r = shim(env, all.toArray(String[]::new));
            assertEquals(2, r.exit(), args + ": " + r.all());
            assertTrue(r.err().contains("refusing to start a container"), r.err());
            assertTrue(!Files.exists(argvLog), args + ": the runtime never ran");
        }
        shim(env, "--nestlet-runtime=" + fake, "--frobnicate", "state", "abc").ok();
        assertEquals(
                List.of(fake.toString(), "--frobnicate", "state", "abc"),
                recorded(),
                "other verbs still pass through");
    }
}
