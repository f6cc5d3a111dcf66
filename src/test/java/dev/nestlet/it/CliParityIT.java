package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * bin/nestletctl (C) and bin/nestletctl-java print the same bytes and exit the same way: both print
 * what nestletd rendered, and the C one hands what it does not know to the Java one.
 */
class CliParityIT extends DaemonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected String name() {
        return "cli";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        return SubIds.pool(testDir, 7_500_000, 2 * 65536);
    }

    private Cmd.Result c(String... args) {
        return run("nestletctl", Map.of(), args);
    }

    private Cmd.Result java(String... args) {
        return run("nestletctl-java", Map.of(), args);
    }

    private static Cmd.Result run(String program, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Dist.bin(program).toString()));
        cmd.addAll(List.of(args));
        return Cmd.of(cmd).env(env).run();
    }

    private String[] withSocket(String... args) {
        List<String> all = new ArrayList<>(List.of("--socket", daemon.socket().toString()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /** Exit status, stdout and stderr of both, equal; figures that change between calls masked. */
    private void assertSame(boolean maskFigures, String... args) {
        Cmd.Result j = java(args);
        Cmd.Result n = c(args);
        String what = String.join(" ", args) + "\njava: " + j.all() + "\nC: " + n.all();
        assertEquals(j.exit(), n.exit(), what);
        assertEquals(mask(j.out(), maskFigures), mask(n.out(), maskFigures), what);
        assertEquals(j.err(), n.err(), what);
    }

    private static String mask(String s, boolean figures) {
        return figures ? s.replaceAll("[0-9][0-9.eE+-]*", "#") : s;
    }

    @Test
    void bothPrintTheSameForEveryReadOnlyCommand() throws Exception {
        String id = TestDir.unique("cli");
        Path bundle = dir.resolve(id);
        new Spec(Rootfs.busybox(bundle.resolve("rootfs")), "sleep", "300")
                .cgroupsPath("/" + id)
                .writeTo(bundle);
        try (Container ct =
                Container.viaShim(OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, id)) {
            ct.startDetached();
            // The first metrics request adds its own series; from then on both see the same ones.
            c(withSocket("metrics")).ok();
            for (String output : List.of("text", "json")) {
                assertSame(false, withSocket("ps", "-o", output));
                assertSame(false, withSocket("-o", output, "inspect", id));
                assertSame(false, withSocket("allocations", "--output=" + output));
                assertSame(false, withSocket("version", "-o", output));
                // uptime, RSS, threads and request counts move between two calls
                assertSame(true, withSocket("status", "-o", output));
                assertSame(true, withSocket("metrics", "-o", output));
            }
            String ps = c(withSocket("ps")).ok().out();
            assertTrue(ps.startsWith("ID ") && ps.contains("\n" + id + " "), ps);
            JsonNode inspect = JSON.readTree(c(withSocket("inspect", id, "-o", "json")).ok().out());
            assertEquals(id, inspect.path("container").path("id").asText(), inspect.toString());
            String allocations = c(withSocket("allocations")).ok().out();
            assertTrue(allocations.contains("\n" + id + " "), allocations);
            String version = c(withSocket("version")).ok().out();
            assertTrue(
                    version.matches("nestletctl \\S+\nnestletd   \\S+ \\(protocol 1\\)\n"),
                    version);
            assertTrue(c(withSocket("status")).ok().out().contains("containers 1\n"));
            assertTrue(c(withSocket("metrics")).ok().out().contains("\nnestlet_containers 1.0\n"));
            ct.kill();
            ct.delete().ok();
        }
    }

    @Test
    void errorsExitAndReadTheSame() throws Exception {
        assertSame(false, withSocket("inspect", "nope"));
        assertEquals(
                "nestletctl: not_found: no container with id 'nope'\n",
                c(withSocket("inspect", "nope")).err());
        assertEquals(1, c(withSocket("inspect", "nope")).exit());

        String gone = dir.resolve("gone.sock").toString();
        assertSame(false, "--socket", gone, "status");
        Cmd.Result unreachable = c("--socket", gone, "status");
        assertEquals(3, unreachable.exit(), unreachable.all());
        assertTrue(
                unreachable.err().startsWith("nestletctl: nestletd is not reachable at " + gone),
                unreachable.err());

        // Not root and not in --group: the socket (0600) refuses the connection.
        List<String> stranger =
                List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups");
        List<Cmd.Result> asStranger = new ArrayList<>();
        for (String program : List.of("nestletctl", "nestletctl-java")) {
            List<String> cmd = new ArrayList<>(stranger);
            cmd.add(Dist.bin(program).toString());
            cmd.addAll(List.of(withSocket("status")));
            asStranger.add(Cmd.of(cmd).env(Map.of("HOME", "/tmp")).run());
        }
        assertEquals(3, asStranger.get(0).exit(), asStranger.get(0).all());
        assertEquals(asStranger.get(1).exit(), asStranger.get(0).exit());
        assertEquals(asStranger.get(1).err(), asStranger.get(0).err());
    }

    @Test
    void theSocketComesFromTheEnvironmentToo() {
        Map<String, String> env = Map.of("NESTLET_SOCKET", daemon.socket().toString());
        Cmd.Result n = run("nestletctl", env, "version", "-o", "json");
        assertEquals(0, n.exit(), n.all());
        assertEquals(run("nestletctl-java", env, "version", "-o", "json").out(), n.out());
    }

    /** What the C client does not answer, the Java one does, with its own messages. */
    @Test
    void everythingElseGoesToTheJavaCli() {
        assertSame(false, withSocket("bogus"));
        assertSame(false, withSocket("inspect"));
        assertSame(false, withSocket("status", "-o", "yaml"));
        assertSame(false, "--help");
        assertSame(false, "config", "validate", "packaging/nestletd.conf");
        Cmd.Result bogus = c(withSocket("bogus"));
        assertEquals(2, bogus.exit(), bogus.all());
        assertTrue(bogus.err().contains("Unmatched argument"), bogus.err());
        Cmd.Result help = c("--help");
        assertTrue(help.out().startsWith("Usage: nestletctl"), help.out());
        assertEquals(
                0, c("config", "validate", "packaging/nestletd.conf").exit(), "config validate");
    }
}
