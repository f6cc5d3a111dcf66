package dev.nestlet.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.api.Dispatcher;
import dev.nestlet.api.Peer;
import dev.nestlet.api.WireCodes;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.json.RandomJson;
import dev.nestlet.lifecycle.HookService;
import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.props.Cases;
import dev.nestlet.props.Gen;
import dev.nestlet.state.Registry;
import dev.nestlet.state.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The socket protocol's decoding with the hook operation behind it, under generated request lines:
 * any bytes, JSON of any shape, and hook requests whose OCI state (id, pid, bundle, annotations) is
 * anything from right to nonsense. Every line gets one answer line within seconds, and a failure is
 * one of the protocol's error codes, never "internal" (an exception nestletd did not expect).
 */
class HookRequestPropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CODES =
            Arrays.stream(ErrorCode.values()).map(WireCodes::of).collect(Collectors.toSet());
    private static final Peer ROOT = new Peer(1, 0, 0);

    private static Path dir;
    private static NamespaceWorkers workers;
    private static Dispatcher dispatcher;

    @BeforeAll
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("nestlet-hookprop");
        Path good = Files.createDirectories(dir.resolve("good/rootfs")).getParent();
        Files.writeString(good.resolve("config.json"), "{\"root\":{\"path\":\"rootfs\"}}");
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(bad.resolve("config.json"), "[1,");
        workers = new NamespaceWorkers(0, 1000);
        HookService hooks =
                new HookService(
                        new Registry(new StateStore(dir.resolve("state"), JSON)),
                        workers,
                        List.of(),
                        (id, pid, rootfs, caller) -> {
                            // No process is a container's init here: what a real finder answers
                            // for a pid that is not one.
                            throw new NestletException(
                                    ErrorCode.NO_SUCH_PROCESS, "no init " + pid + " of " + id);
                        });
        dispatcher =
                new Dispatcher(JSON)
                        .register(new HookOperation(hooks))
                        .register(new VersionOperation());
    }

    @AfterAll
    static void tearDown() throws IOException {
        workers.close();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static final List<String> WORDS =
            List.of(
                    "v",
                    "op",
                    "stage",
                    "state",
                    "output",
                    "hook",
                    "version",
                    "createRuntime",
                    "createContainer",
                    "poststop",
                    "prestart",
                    "system",
                    "id",
                    "pid",
                    "bundle",
                    "annotations",
                    "io.nestlet.mode",
                    "text",
                    "json");

    private static final List<String> OPS = List.of("hook", "version");
    private static final List<String> STAGES =
            List.of(
                    "createRuntime",
                    "createContainer",
                    "startContainer",
                    "poststart",
                    "poststop",
                    "prestart",
                    "CREATERUNTIME");
    private static final List<String> IDS = List.of("c1", "ci-runner-7", "a.b+c_d-e");
    private static final List<String> MODES = List.of("system", "off", "System", "");

    /** Any text, any JSON object, or (most often) a hook request. */
    static String line(SplittableRandom r) {
        return switch (Gen.weighted(r, 1, 1, 6)) {
            case 0 -> Gen.string(r, 40);
            case 1 -> RandomJson.object(r, 2, WORDS).toString();
            default -> hookRequest(r).toString();
        };
    }

    /** Each field right 8 times in 9, else any value. */
    private static ObjectNode hookRequest(SplittableRandom r) {
        ObjectNode q = JSON.createObjectNode();
        q.set("v", usually(r, 8, JSON.getNodeFactory().numberNode(1), 2));
        q.set("op", usually(r, 8, text(Gen.pick(r, OPS)), 2));
        q.set("stage", usually(r, 8, text(Gen.pick(r, STAGES)), 2));
        q.set("state", usually(r, 8, state(r), 2));
        int extra = Gen.between(r, 0, 3);
        if (extra == 1) {
            q.put("output", "text");
        } else if (extra == 2) {
            q.put("surprise", true);
        }
        return q;
    }

    /** An OCI state whose id, pid, bundle and annotations are each sometimes nonsense. */
    private static ObjectNode state(SplittableRandom r) {
        ObjectNode s = JSON.createObjectNode();
        s.put("ociVersion", "1.0.2");
        s.set(
                "id",
                switch (Gen.weighted(r, 4, 2, 1)) {
                    case 0 -> text(Gen.pick(r, IDS));
                    case 1 -> text(Gen.string(r, 140));
                    default -> RandomJson.value(r, 1, WORDS);
                });
        s.put("status", "creating");
        s.set("pid", usually(r, 4, JSON.getNodeFactory().numberNode(Gen.anyInt(r)), 1));
        List<String> bundles =
                List.of(
                        dir + "/good",
                        dir + "/bad",
                        dir + "/missing",
                        dir + "/good/config.json",
                        "relative/path",
                        "");
        s.set("bundle", usually(r, 6, text(Gen.pick(r, bundles)), 1));
        ObjectNode mode = JSON.createObjectNode();
        mode.put("io.nestlet.mode", Gen.pick(r, MODES));
        s.set("annotations", usually(r, 6, mode, 1));
        return s;
    }

    /**
     * {@code right}, {@code weight} times in {@code weight + 1}; else any value to {@code depth}.
     */
    private static JsonNode usually(SplittableRandom r, int weight, JsonNode right, int depth) {
        return Gen.weighted(r, weight, 1) == 0 ? right : RandomJson.value(r, depth, WORDS);
    }

    private static JsonNode text(String s) {
        return JSON.getNodeFactory().textNode(s);
    }

    @Test
    void everyLineGetsOneAnswerLineWithAProtocolErrorAtWorst() {
        Cases.forAll(HookRequestPropertyTest::line, HookRequestPropertyTest::holds);
    }

    /** Coverage-guided ({@code make fuzz}): any bytes as a request line. */
    @FuzzTest(maxDuration = "2m")
    void anyBytesGetOneAnswerLineWithAProtocolErrorAtWorst(byte[] line) throws Exception {
        holds(line, new String(line, StandardCharsets.UTF_8));
    }

    private static void holds(String line) throws Exception {
        holds(line.getBytes(StandardCharsets.UTF_8), line);
    }

    private static void holds(byte[] bytes, String line) throws Exception {
        byte[] out =
                assertTimeoutPreemptively(
                        Duration.ofSeconds(10), () -> dispatcher.handle(bytes, ROOT));
        assertEquals('\n', out[out.length - 1], line);
        String text = new String(out, 0, out.length - 1, StandardCharsets.UTF_8);
        assertEquals(-1, text.indexOf('\n'), "one line: " + text);
        JsonNode answer = JSON.readTree(text);
        if (answer.path("ok").asBoolean()) {
            assertTrue(answer.has("result"), text);
            return;
        }
        String code = answer.path("error").path("code").asText();
        assertTrue(CODES.contains(code), code + " for " + line);
        assertNotEquals(WireCodes.of(ErrorCode.INTERNAL), code, line + " -> " + text);
    }
}
