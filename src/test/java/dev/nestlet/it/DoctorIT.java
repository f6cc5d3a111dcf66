package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.Dist;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * nestletctl doctor on this machine's kernel, against a nestletd of the test's own, with a subuid
 * pool, FUSE device and engine configs of the test's own (the system's are never read).
 */
class DoctorIT extends DaemonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Above the kubelet's default user-namespace ids (65536 x 111). */
    private static final long POOL = 65536L * 111;

    private Path goodSubuid;
    private Path engines;

    @Override
    protected String name() {
        return "doctor";
    }

    @BeforeAll
    void files() throws Exception {
        goodSubuid = dir.path().resolve("subuid");
        Files.writeString(goodSubuid, "alice:100000:65536\nnestlet:" + POOL + ":655360\n");
        engines = Files.createDirectories(dir.path().resolve("engine-root"));
        Path docker = Files.createDirectories(engines.resolve("etc/docker"));
        Files.writeString(
                docker.resolve("daemon.json"),
                "{\"runtimes\": {\"nestlet\": {\"path\": \"/usr/local/lib/nestlet/bin/nestlet-runtime\"}}}\n");
    }

    /** doctor with the test's paths; {@code overrides} (option, value...) replace them. */
    private Cmd.Result doctor(String... overrides) {
        return doctor(List.of(), overrides);
    }

    private Cmd.Result doctor(List<String> prefix, String... overrides) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--socket", daemon.socket().toString());
        options.put("--state-dir", daemon.stateDir().toString());
        options.put("--subuid", goodSubuid.toString());
        options.put("--subgid", goodSubuid.toString());
        options.put("--engine-root", engines.toString());
        for (int i = 0; i < overrides.length; i += 2) {
            options.put(overrides[i], overrides[i + 1]);
        }
        List<String> argv = new ArrayList<>(prefix);
        argv.add(Dist.bin("nestletctl").toString());
        argv.add("doctor");
        options.forEach(
                (k, v) -> {
                    argv.add(k);
                    argv.add(v);
                });
        return Cmd.of(argv).run();
    }

    /** The line of check {@code name}, and the line after it (its fix, if any). */
    private static String lineOf(Cmd.Result r, String name) {
        String[] lines = r.out().split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].matches("^\\S+\\s+" + java.util.regex.Pattern.quote(name) + "\\s{2}.*")) {
                return lines[i] + (i + 1 < lines.length ? "\n" + lines[i + 1] : "");
            }
        }
        throw new AssertionError("no line for " + name + " in\n" + r.all());
    }

    @Test
    void passesOnThisMachine() throws Exception {
        Cmd.Result r = doctor();
        assertEquals(0, r.exit(), r.all());
        assertTrue(!r.out().contains("FAIL"), r.out());
        assertTrue(lineOf(r, "nestletd").startsWith("ok"), r.out());
        assertTrue(lineOf(r, "nestletd").contains("pid " + daemon.pid()), r.out());
        assertTrue(lineOf(r, "FUSE").startsWith("ok"), r.out());
        assertTrue(lineOf(r, "ID-mapped mounts").startsWith("ok"), r.out());
        String pool = lineOf(r, "subuid pool");
        assertTrue(pool.startsWith("ok") && pool.contains("10 ranges of 65536 from " + POOL), pool);
        assertTrue(lineOf(r, "engine docker").contains("registered in "), r.out());
        assertTrue(lineOf(r, "engine containerd").contains("not installed"), r.out());
        // the probes leave nothing behind in the state dir, mounted or not
        try (var left = Files.list(daemon.stateDir())) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().contains("doctor")));
        }
        assertTrue(!Files.readString(Path.of("/proc/self/mountinfo")).contains("nestlet-doctor"));

        Cmd.Result json = doctor("-o", "json");
        assertEquals(0, json.exit(), json.all());
        JsonNode doc = JSON.readTree(json.out());
        assertTrue(doc.path("ok").asBoolean(), json.out());
        List<JsonNode> checks =
                StreamSupport.stream(doc.path("checks").spliterator(), false).toList();
        // every check of the text report, in the same order, with the same words
        String[] textLines = r.out().split("\n");
        int i = 0;
        for (JsonNode c : checks) {
            while (textLines[i].startsWith(" ")) {
                i++;
            }
            assertTrue(
                    textLines[i].startsWith(c.path("status").asText())
                            && textLines[i].contains(c.path("name").asText()),
                    textLines[i] + " vs " + c);
            i++;
        }
        assertTrue(checks.size() >= 15, json.out());
    }

    @ParameterizedTest
    @CsvSource({"6.1, warn", "6.8, ok"})
    void eachKernelCompatModeReportsWhatItTurnsOff(String version, String lowerdir) {
        Cmd.Result r = doctor("--kernel-compat", version);
        assertEquals(0, r.exit(), r.all());
        assertTrue(
                lineOf(r, "kernel").contains("--kernel-compat " + version + " turns off"), r.out());
        String pidns = lineOf(r, "proc pidns");
        assertTrue(
                pidns.startsWith("warn")
                        && pidns.contains("off under --kernel-compat " + version + " (Linux 6.18)")
                        && pidns.contains("fix: without it: a helper (nestlet-procfs)"),
                pidns);
        assertTrue(lineOf(r, "overlay lowerdir+").startsWith(lowerdir), r.out());
        assertTrue(lineOf(r, "ID-mapped mounts").startsWith("ok"), r.out());
        assertTrue(lineOf(doctor(), "proc pidns").startsWith("ok"), "natively it is on");
    }

    @Test
    void failsWhenTheFuseDeviceIsNotOne() throws Exception {
        Path notFuse = Files.writeString(dir.path().resolve("not-fuse"), "x\n");
        Cmd.Result r = doctor("--fuse-device", notFuse.toString());
        assertEquals(1, r.exit(), r.all());
        String line = lineOf(r, "FUSE");
        assertTrue(line.startsWith("FAIL"), line);
        assertTrue(line.contains(notFuse + " is not a usable FUSE device"), line);
        assertTrue(line.contains("fix: modprobe fuse"), line);
    }

    @Test
    void failsWhenDevFuseIsMaskedInItsMountNamespace() {
        // as an engine masks a device: /dev/null bound over it, in a mount namespace of its own
        Cmd.Result r =
                doctor(
                        List.of(
                                "unshare",
                                "--mount",
                                "--propagation",
                                "private",
                                "sh",
                                "-c",
                                "mount --bind /dev/null /dev/fuse && exec \"$@\"",
                                "sh"));
        assertEquals(1, r.exit(), r.all());
        String line = lineOf(r, "FUSE");
        assertTrue(line.startsWith("FAIL") && line.contains("/dev/fuse is not a usable"), line);
        assertTrue(r.out().lines().filter(l -> l.startsWith("FAIL")).count() == 1, r.out());
    }

    @Test
    void failsWhenThePoolOverlapsAnotherEntry() throws Exception {
        Path subuid = dir.path().resolve("subuid-overlap");
        Files.writeString(
                subuid, "nestlet:" + POOL + ":131072\nbob:" + (POOL + 70000) + ":65536\n");
        Cmd.Result r = doctor("--subuid", subuid.toString(), "--subgid", subuid.toString());
        assertEquals(1, r.exit(), r.all());
        String line = lineOf(r, "subuid pool");
        assertTrue(line.startsWith("FAIL"), line);
        assertTrue(line.contains("belongs to another user"), line);
        assertTrue(line.contains("fix: add one line 'nestlet:START:COUNT'"), line);
    }

    @Test
    void failsWhenTheSocketIsGone() throws Exception {
        Path gone = dir.path().resolve("gone.sock");
        Cmd.Result r = doctor("--socket", gone.toString());
        assertEquals(1, r.exit(), r.all());
        String line = lineOf(r, "nestletd");
        assertTrue(line.startsWith("FAIL") && line.contains("no socket at " + gone), line);
        assertTrue(line.contains("fix: start nestletd"), line);

        // a socket file nobody listens on any more (nestletd killed)
        Path stale = dir.path().resolve("stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale));
        }
        Cmd.Result r2 = doctor("--socket", stale.toString());
        assertEquals(1, r2.exit(), r2.all());
        String line2 = lineOf(r2, "nestletd");
        assertTrue(line2.startsWith("FAIL") && line2.contains("not reachable"), line2);
    }
}
