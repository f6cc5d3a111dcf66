package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.it.support.Cleanup;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Containerd;
import dev.nestlet.it.support.Dockerd;
import dev.nestlet.it.support.Engine;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Podman;
import dev.nestlet.it.support.RecordingRuntime;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.RuntimeCall;
import dev.nestlet.it.support.TestDir;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * dockerd, podman and containerd, each started by its fixture in one test dir, run busybox with
 * plain runc; then each is given a recording runtime wrapper the way nestlet-runtime will be
 * registered, and the test pins down what the engine passes to it (argv, config.json) — the
 * contract the shim parses, written up in docs/engines.md. Each engine's config.json is saved to
 * target/engine-configs/ and compared in shape with the copy kept under
 * src/test/resources/engine-configs/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnginesSmokeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V = "V";

    private TestDir dir;
    private RecordingRuntime dockerRec;
    private RecordingRuntime podmanRec;
    private RecordingRuntime ctrRec;
    private Dockerd dockerd;
    private Podman podman;
    private Containerd containerd;
    private final Map<String, Engine> engines = new LinkedHashMap<>();
    private final Map<String, String> images = new HashMap<>();

    @BeforeAll
    void start() throws Exception {
        Root.require();
        dir = new TestDir("engines");
        Path wrappers = dir.resolve("wrappers");
        dockerRec = new RecordingRuntime(wrappers, "docker-recording", OciRuntime.RUNC);
        podmanRec = new RecordingRuntime(wrappers, "podman-recording", OciRuntime.RUNC);
        ctrRec = new RecordingRuntime(wrappers, "ctr-recording", OciRuntime.RUNC);
        dockerd = new Dockerd(dir.resolve("docker")).runtime("recording", dockerRec.path());
        podman = new Podman(dir.resolve("podman"));
        containerd = new Containerd(dir.resolve("ctrd"));
        for (Engine e : List.of(dockerd, podman, containerd)) {
            engines.put(e.name(), e);
        }
        dockerd.start();
        podman.start();
        containerd.start();
        for (Engine e : engines.values()) {
            images.put(e.name(), e.importBusybox());
        }
    }

    @AfterAll
    void stop() throws Exception {
        Cleanup.closeAll(dockerd, podman, containerd, dir);
    }

    Stream<String> engineNames() {
        return engines.keySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engineNames")
    void runsBusyboxWithRunc(String name) {
        Engine e = engines.get(name);
        assertEquals("hello\n", e.runRm(images.get(name), "echo", "hello").ok().out());
        String id = e.runRm(images.get(name), "id").ok().out();
        assertTrue(id.startsWith("uid=0(root) gid=0(root)"), name + ": " + id);
    }

    /**
     * Start time and `run --rm` of `true`, median of 10 after one warm-up; written to
     * target/engine-timings.txt.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("engineNames")
    void runRmTrueTenTimes(String name) throws IOException {
        Engine e = engines.get(name);
        e.runRm(images.get(name), "true").ok();
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long t0 = System.nanoTime();
            Cmd.Result r = e.runRm(images.get(name), "true").ok();
            ms.add((System.nanoTime() - t0) / 1_000_000);
            assertEquals("", r.out(), name + " printed something for `true`");
        }
        List<Long> sorted = ms.stream().sorted().toList();
        String line =
                String.format(
                        "%-10s start %5d ms   run --rm true: median %4d ms (min %d, max %d, n=10)%s%n",
                        name,
                        e.startTime().toMillis(),
                        (sorted.get(4) + sorted.get(5)) / 2,
                        sorted.get(0),
                        sorted.get(9),
                        name.equals("dockerd")
                                ? " (its containerd started in "
                                        + dockerd.containerd().startTime().toMillis()
                                        + " ms)"
                                : "");
        System.out.print(line);
        Files.createDirectories(Path.of("target"));
        Files.writeString(
                Path.of("target/engine-timings.txt"),
                line,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    @Test
    void dockerdCallsRegisteredRuntime() throws Exception {
        dockerRec.clear();
        String out =
                dockerd.run(
                                "--rm",
                                "--network",
                                "none",
                                "--runtime",
                                "recording",
                                images.get("dockerd"),
                                "id")
                        .ok()
                        .out();
        assertTrue(out.startsWith("uid=0(root) gid=0(root)"), out);

        RuntimeCall create = onlyCreate(dockerRec);
        String id = last(create);
        Path bundle = containerd(dockerd).resolve("moby").resolve(id);
        assertEquals(
                List.of(
                        "--root",
                        V,
                        "--log",
                        V,
                        "--log-format",
                        V,
                        "create",
                        "--bundle",
                        V,
                        "--pid-file",
                        V,
                        "ID"),
                create.shape(),
                create.argv().toString());
        assertEquals(
                dockerd.execRoot().resolve("runtime-runc/moby").toString(),
                create.option("--root").get());
        assertEquals(bundle.resolve("log.json").toString(), create.option("--log").get());
        assertEquals("json", create.option("--log-format").get());
        assertEquals(bundle.toString(), create.option("--bundle").get());
        assertEquals(bundle.resolve("init.pid").toString(), create.option("--pid-file").get());
        assertVerbs(dockerRec, "create", "start", "delete");
        for (RuntimeCall c : dockerRec.calls()) {
            assertEquals(
                    create.globalArgs(),
                    c.globalArgs(),
                    "every call has the same global options: " + c);
        }

        JsonNode cfg =
                assertConfig(
                        create,
                        dockerd.dataRoot().resolve("overlay2"),
                        dockerd.cgroupParent() + "/" + id,
                        true);
        assertTrue(
                cfg.path("root").path("path").asText().endsWith("/merged"),
                "the overlay's merged dir");
        assertEquals(
                Map.of(
                        "/etc/resolv.conf",
                        "resolv.conf",
                        "/etc/hostname",
                        "hostname",
                        "/etc/hosts",
                        "hosts"),
                bindsUnder(cfg, dockerd.dataRoot().resolve("containers").resolve(id)));
        saveAndCompare("dockerd", cfg);

        dockerRec.clear();
        dockerd.run(
                        "--rm",
                        "-t",
                        "--network",
                        "none",
                        "--runtime",
                        "recording",
                        images.get("dockerd"),
                        "true")
                .ok();
        RuntimeCall tty = onlyCreate(dockerRec);
        assertEquals(
                List.of(
                        "--root",
                        V,
                        "--log",
                        V,
                        "--log-format",
                        V,
                        "create",
                        "--bundle",
                        V,
                        "--pid-file",
                        V,
                        "--console-socket",
                        V,
                        "ID"),
                tty.shape(),
                tty.argv().toString());
        assertTrue(
                tty.option("--console-socket")
                        .get()
                        .startsWith(dockerd.containerd().dir().resolve("tmp") + "/"),
                "the shim makes the console socket in its TMPDIR: "
                        + tty.option("--console-socket").get());
    }

    @Test
    void podmanCallsGivenRuntime() throws Exception {
        podmanRec.clear();
        String out =
                podman.run(
                                "--rm",
                                "--runtime",
                                podmanRec.path().toString(),
                                images.get("podman"),
                                "id")
                        .ok()
                        .out();
        assertTrue(out.startsWith("uid=0(root) gid=0(root)"), out);

        RuntimeCall create = onlyCreate(podmanRec);
        String id = last(create);
        assertEquals(
                List.of("create", "--bundle", V, "--pid-file", V, "ID"),
                create.shape(),
                "podman passes no global options (no --root: runc uses /run/runc): "
                        + create.argv());
        assertEquals(
                podman.graphRoot()
                        .resolve("overlay-containers")
                        .resolve(id)
                        .resolve("userdata")
                        .toString(),
                create.option("--bundle").get());
        assertEquals(
                podman.runRoot()
                        .resolve("overlay-containers")
                        .resolve(id)
                        .resolve("userdata/pidfile")
                        .toString(),
                create.option("--pid-file").get());
        assertVerbs(podmanRec, "create", "start", "delete");

        JsonNode cfg =
                assertConfig(
                        create,
                        podman.graphRoot().resolve("overlay"),
                        podman.cgroupParent() + "/libpod-" + id,
                        true);
        assertTrue(
                cfg.path("root").path("path").asText().endsWith("/merged"),
                "the overlay's merged dir");
        assertEquals("libpod", cfg.path("annotations").path("io.container.manager").asText());
        assertTrue(
                cfg.path("process").path("rlimits").toString().contains("\"hard\":20000"),
                "default_ulimits from the fixture's containers.conf: "
                        + cfg.path("process").path("rlimits"));
        Map<String, String> binds =
                bindsUnder(
                        cfg,
                        podman.runRoot()
                                .resolve("overlay-containers")
                                .resolve(id)
                                .resolve("userdata"));
        binds.putAll(
                bindsUnder(
                        cfg,
                        podman.graphRoot()
                                .resolve("overlay-containers")
                                .resolve(id)
                                .resolve("userdata")));
        assertEquals(
                Map.of(
                        "/etc/hosts",
                        "hosts",
                        "/etc/hostname",
                        "hostname",
                        "/run/.containerenv",
                        ".containerenv",
                        "/dev/shm",
                        "shm"),
                binds);
        saveAndCompare("podman", cfg);

        podmanRec.clear();
        podman.run(
                        "--rm",
                        "-t",
                        "--runtime",
                        podmanRec.path().toString(),
                        images.get("podman"),
                        "true")
                .ok();
        RuntimeCall tty = onlyCreate(podmanRec);
        assertEquals(
                List.of("create", "--bundle", V, "--pid-file", V, "--console-socket", V, "ID"),
                tty.shape(),
                tty.argv().toString());
        Path console = Path.of(tty.option("--console-socket").get());
        assertTrue(
                console.isAbsolute() && console.getFileName().toString().startsWith("conmon-term."),
                "conmon's console socket (in /tmp: podman does not pass TMPDIR on to conmon): "
                        + console);
    }

    @Test
    void containerdShimCallsGivenRuncBinary() throws Exception {
        ctrRec.clear();
        String cid = TestDir.unique("rec");
        String out =
                containerd
                        .run(
                                "--rm",
                                "--runc-binary",
                                ctrRec.path().toString(),
                                images.get("containerd"),
                                cid,
                                "id")
                        .ok()
                        .out();
        assertTrue(out.startsWith("uid=0(root) gid=0(root)"), out);

        RuntimeCall create = ctrRec.create(cid);
        Path bundle = containerd(containerd).resolve(containerd.namespace()).resolve(cid);
        assertEquals(
                List.of(
                        "--root",
                        V,
                        "--log",
                        V,
                        "--log-format",
                        V,
                        "create",
                        "--bundle",
                        V,
                        "--pid-file",
                        V,
                        "ID"),
                create.shape(),
                create.argv().toString());
        assertEquals(
                containerd.runcRoot().resolve(containerd.namespace()).toString(),
                create.option("--root").get());
        assertEquals(bundle.resolve("log.json").toString(), create.option("--log").get());
        assertEquals("json", create.option("--log-format").get());
        assertEquals(bundle.toString(), create.option("--bundle").get());
        assertEquals(bundle.resolve("init.pid").toString(), create.option("--pid-file").get());
        assertVerbs(ctrRec, "create", "start", "delete");

        JsonNode cfg =
                assertConfig(
                        create,
                        bundle.resolve("rootfs"),
                        "/" + containerd.namespace() + "/" + cid,
                        false);
        assertEquals("rootfs", cfg.path("root").path("path").asText(), "relative to the bundle");
        for (JsonNode m : cfg.path("mounts")) {
            assertNotEquals("bind", m.path("type").asText(), "ctr run binds no host path: " + m);
        }
        saveAndCompare("containerd", cfg);
    }

    @Test
    void podmanRunsCrunThroughTheHybridWrapper() throws Exception {
        String out =
                podman.run(
                                "--rm",
                                "--runtime",
                                podman.crunHybrid().toString(),
                                images.get("podman"),
                                "cat",
                                "/proc/self/cgroup")
                        .ok()
                        .out();
        assertTrue(
                out.contains(":" + podman.cgroupParent() + "/libpod-"),
                "crun put it in its cgroup:\n" + out);
    }

    /**
     * Plain crun with podman: refused on a hybrid layout with a controller on cgroup2 (this VM),
     * fine elsewhere.
     */
    @Test
    void plainCrunWorksUnlessCgroupsAreHybrid() throws Exception {
        Path unified = Path.of("/sys/fs/cgroup/unified/cgroup.controllers");
        boolean hybridWithV2Controller =
                Files.exists(unified) && !Files.readString(unified).isBlank();
        Cmd.Result r = podman.run("--rm", "--runtime", "crun", images.get("podman"), "true");
        if (hybridWithV2Controller) {
            assertNotEquals(0, r.exit(), r.all());
            assertTrue(r.err().contains("cgroups in hybrid mode not supported"), r.err());
        } else {
            assertEquals(0, r.exit(), r.all());
        }
    }

    // --- helpers
    // -------------------------------------------------------------------------------------------------

    /** Where a containerd keeps task bundles: STATE/io.containerd.runtime.v2.task/NAMESPACE/ID. */
    private static Path containerd(Engine e) {
        Containerd c = e instanceof Dockerd d ? d.containerd() : (Containerd) e;
        return c.dir().resolve("state/io.containerd.runtime.v2.task");
    }

    private static RuntimeCall onlyCreate(RecordingRuntime rec) {
        List<RuntimeCall> creates = rec.calls("create");
        assertEquals(1, creates.size(), "one create: " + rec.calls());
        return creates.get(0);
    }

    private static String last(RuntimeCall c) {
        return c.argv().get(c.argv().size() - 1);
    }

    /** {@code verbs} occur in this order among the recorded calls. */
    private static void assertVerbs(RecordingRuntime rec, String... verbs) {
        List<String> seen = rec.calls().stream().map(RuntimeCall::verb).toList();
        int at = 0;
        for (String v : verbs) {
            int i = seen.subList(at, seen.size()).indexOf(v);
            assertTrue(
                    i >= 0, v + " after " + String.join(",", seen.subList(0, at)) + " in " + seen);
            at += i + 1;
        }
    }

    /**
     * The facts every engine's config.json shares here: root.path (resolved against the bundle) is
     * below {@code rootUnder} and an overlay that the engine mounted before create; the
     * cgroupsPath; Docker's default seccomp profile or none; no user namespace.
     */
    private static JsonNode assertConfig(
            RuntimeCall create, Path rootUnder, String cgroupsPath, boolean seccomp)
            throws IOException {
        JsonNode cfg =
                JSON.readTree(
                        create.config()
                                .orElseThrow(() -> new AssertionError("no config saved: " + create))
                                .toFile());
        Path root =
                Path.of(create.option("--bundle").get())
                        .resolve(cfg.path("root").path("path").asText());
        assertTrue(root.startsWith(rootUnder), root + " is below " + rootUnder);
        assertEquals(
                "overlay",
                mountType(create, root),
                "the engine mounted the rootfs before create: " + root);
        assertEquals(cgroupsPath, cfg.path("linux").path("cgroupsPath").asText());
        assertSeccomp(cfg, seccomp);
        assertFalse(namespaces(cfg).contains("user"), "no user namespace by default");
        return cfg;
    }

    private static List<String> namespaces(JsonNode cfg) {
        List<String> out = new ArrayList<>();
        cfg.path("linux").path("namespaces").forEach(n -> out.add(n.path("type").asText()));
        return out;
    }

    /**
     * Docker's and podman's default profile: deny by default (ERRNO), allow a list; ctr run has
     * none.
     */
    private static void assertSeccomp(JsonNode cfg, boolean expected) {
        JsonNode s = cfg.path("linux").path("seccomp");
        if (expected) {
            assertEquals("SCMP_ACT_ERRNO", s.path("defaultAction").asText(), s.toString());
            assertTrue(s.path("syscalls").size() > 0, "an allow list");
            assertTrue(s.path("listenerPath").isMissingNode(), "no seccomp agent by default");
        } else {
            assertTrue(s.isMissingNode(), "no seccomp section: " + s);
        }
    }

    /** Bind mounts whose source is directly in {@code dir}: destination -> source file name. */
    private static Map<String, String> bindsUnder(JsonNode cfg, Path dir) {
        Map<String, String> out = new HashMap<>();
        for (JsonNode m : cfg.path("mounts")) {
            Path src = Path.of(m.path("source").asText());
            if (m.path("type").asText().equals("bind") && dir.equals(src.getParent())) {
                out.put(m.path("destination").asText(), src.getFileName().toString());
            }
        }
        return out;
    }

    /** The filesystem type mounted at {@code point} in the host mount table saved at create. */
    private static String mountType(RuntimeCall create, Path point) throws IOException {
        Path mi =
                create.mountInfo()
                        .orElseThrow(() -> new AssertionError("no mountinfo saved: " + create));
        String found = "(not a mount point)";
        for (String line : Files.readAllLines(mi)) {
            String[] f = line.split(" ");
            if (f[4].equals(point.toString())) {
                found = f[List.of(f).indexOf("-") + 1];
            }
        }
        return found;
    }

    /**
     * Saves {@code cfg} (host name scrubbed) to target/engine-configs/ENGINE.json and compares its
     * shape with the copy under src/test/resources/engine-configs/.
     */
    private static void saveAndCompare(String engine, JsonNode cfg) throws IOException {
        String host = InetAddress.getLocalHost().getHostName();
        String text =
                JSON.writerWithDefaultPrettyPrinter()
                        .writeValueAsString(cfg)
                        .replace("\"" + host + "\"", "\"HOSTNAME\"");
        Path out = Path.of("target/engine-configs").resolve(engine + ".json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, text + "\n");
        JsonNode saved;
        try (InputStream in =
                EnginesSmokeIT.class.getResourceAsStream("/engine-configs/" + engine + ".json")) {
            if (in == null) {
                throw new AssertionError(
                        "no src/test/resources/engine-configs/" + engine + ".json: copy " + out);
            }
            saved = JSON.readTree(in);
        }
        assertEquals(
                shape(saved),
                shape(cfg),
                engine
                        + " config.json changed shape; if on purpose, copy "
                        + out
                        + " to src/test/resources/engine-configs/ and update docs/engines.md");
    }

    /**
     * What a shim relies on, without ids and paths: keys, mounts, namespaces, caps, paths masked,
     * seccomp action.
     */
    private static JsonNode shape(JsonNode cfg) {
        ObjectNode s = JSON.createObjectNode();
        List<String> keys = new ArrayList<>();
        cfg.fieldNames().forEachRemaining(keys::add);
        s.putPOJO("keys", keys.stream().sorted().toList());
        List<String> mounts = new ArrayList<>();
        cfg.path("mounts")
                .forEach(
                        m ->
                                mounts.add(
                                        m.path("destination").asText()
                                                + " "
                                                + m.path("type").asText()));
        s.putPOJO(
                "mounts",
                mounts.stream()
                        .sorted()
                        .toList()); // podman's order of its binds varies from run to run
        s.putPOJO("namespaces", namespaces(cfg));
        s.set("bounding", cfg.path("process").path("capabilities").path("bounding"));
        s.set("maskedPaths", cfg.path("linux").path("maskedPaths"));
        s.set("readonlyPaths", cfg.path("linux").path("readonlyPaths"));
        s.put("seccomp", cfg.path("linux").path("seccomp").path("defaultAction").asText("none"));
        return JSON.valueToTree(s);
    }
}
