package dev.nestlet.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.api.Dispatcher;
import dev.nestlet.api.Peer;
import dev.nestlet.api.WireCodes;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.json.JsonArbitraries;
import dev.nestlet.lifecycle.HookService;
import dev.nestlet.ns.NamespaceWorkers;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

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

    @BeforeContainer
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

    @AfterContainer
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

    @Provide
    Arbitrary<String> lines() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.strings().ofMaxLength(40)),
                Tuple.of(
                        1,
                        JsonArbitraries.objects(JsonArbitraries.values(2, WORDS), WORDS)
                                .map(Object::toString)),
                Tuple.of(6, hookRequests().map(Object::toString)));
    }

    private Arbitrary<ObjectNode> hookRequests() {
        Arbitrary<JsonNode> any = JsonArbitraries.values(2, WORDS);
        Arbitrary<JsonNode> version =
                Arbitraries.frequencyOf(
                        Tuple.of(8, Arbitraries.just(JSON.getNodeFactory().numberNode(1))),
                        Tuple.of(1, any));
        Arbitrary<JsonNode> op =
                Arbitraries.frequencyOf(
                        Tuple.of(8, Arbitraries.of("hook", "version").map(this::text)),
                        Tuple.of(1, any));
        Arbitrary<JsonNode> stage =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                8,
                                Arbitraries.of(
                                                "createRuntime",
                                                "createContainer",
                                                "startContainer",
                                                "poststart",
                                                "poststop",
                                                "prestart",
                                                "CREATERUNTIME")
                                        .map(this::text)),
                        Tuple.of(1, any));
        Arbitrary<JsonNode> state =
                Arbitraries.frequencyOf(
                        Tuple.of(8, states().map(s -> (JsonNode) s)), Tuple.of(1, any));
        return Combinators.combine(version, op, stage, state, Arbitraries.integers().between(0, 3))
                .as(
                        (v, o, st, s, extra) -> {
                            ObjectNode r = JSON.createObjectNode();
                            r.set("v", v);
                            r.set("op", o);
                            r.set("stage", st);
                            r.set("state", s);
                            if (extra == 1) {
                                r.put("output", "text");
                            } else if (extra == 2) {
                                r.put("surprise", true);
                            }
                            return r;
                        });
    }

    private Arbitrary<ObjectNode> states() {
        Arbitrary<JsonNode> any = JsonArbitraries.values(1, WORDS);
        Arbitrary<JsonNode> id =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                4,
                                Arbitraries.of("c1", "ci-runner-7", "a.b+c_d-e").map(this::text)),
                        Tuple.of(2, Arbitraries.strings().ofMaxLength(140).map(this::text)),
                        Tuple.of(1, any));
        Arbitrary<JsonNode> pid =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                4,
                                Arbitraries.integers()
                                        .map(i -> JSON.getNodeFactory().numberNode(i))),
                        Tuple.of(1, any));
        Arbitrary<JsonNode> bundle =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                6,
                                Arbitraries.of(
                                                dir + "/good",
                                                dir + "/bad",
                                                dir + "/missing",
                                                dir + "/good/config.json",
                                                "relative/path",
                                                "")
                                        .map(this::text)),
                        Tuple.of(1, any));
        Arbitrary<JsonNode> annotations =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                6,
                                Arbitraries.of("system", "off", "System", "")
                                        .map(
                                                m -> {
                                                    ObjectNode a = JSON.createObjectNode();
                                                    a.put("io.nestlet.mode", m);
                                                    return (JsonNode) a;
                                                })),
                        Tuple.of(1, any));
        return Combinators.combine(id, pid, bundle, annotations)
                .as(
                        (i, p, b, a) -> {
                            ObjectNode s = JSON.createObjectNode();
                            s.put("ociVersion", "1.0.2");
                            s.set("id", i);
                            s.put("status", "creating");
                            s.set("pid", p);
                            s.set("bundle", b);
                            s.set("annotations", a);
                            return s;
                        });
    }

    private JsonNode text(String s) {
        return JSON.getNodeFactory().textNode(s);
    }

    @Property
    void everyLineGetsOneAnswerLineWithAProtocolErrorAtWorst(@ForAll("lines") String line)
            throws Exception {
        byte[] out =
                assertTimeoutPreemptively(
                        Duration.ofSeconds(10),
                        () -> dispatcher.handle(line.getBytes(StandardCharsets.UTF_8), ROOT));
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
