package dev.nestlet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.sys.SysException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DispatcherTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Peer ROOT = new Peer(1, 0, 0);

    record EchoParams(String text, Integer times) {}

    static final class Echo implements Operation<EchoParams> {
        @Override
        public String name() {
            return "echo";
        }

        @Override
        public Class<EchoParams> params() {
            return EchoParams.class;
        }

        @Override
        public Object handle(EchoParams p, Peer peer) {
            if ("kernel".equals(p.text())) {
                throw new SysException("mount", 1, "/x");
            }
            if ("boom".equals(p.text())) {
                throw new IllegalStateException("boom");
            }
            if (p.text() == null) {
                throw new NestletException(ErrorCode.BAD_REQUEST, "no text");
            }
            return p.text().repeat(p.times() == null ? 1 : p.times());
        }
    }

    record Pair(String left, int right) {}

    /** An op that renders its result for people. */
    static final class Shout implements TextOperation<EchoParams, Pair> {
        @Override
        public String name() {
            return "shout";
        }

        @Override
        public Class<EchoParams> params() {
            return EchoParams.class;
        }

        @Override
        public Pair result(EchoParams p, Peer peer) {
            return new Pair(p.text(), p.times() == null ? 0 : p.times());
        }

        @Override
        public String text(Pair r) {
            return r.left().toUpperCase(java.util.Locale.ROOT) + " x" + r.right() + "\n";
        }
    }

    private final Dispatcher d = new Dispatcher(JSON).register(new Echo()).register(new Shout());

    private JsonNode call(String line) throws Exception {
        byte[] out = d.handle(line.getBytes(StandardCharsets.UTF_8), ROOT);
        assertEquals('\n', out[out.length - 1], "one line per response");
        String s = new String(out, StandardCharsets.UTF_8);
        assertEquals(1, s.split("\n").length, "no newline inside a response");
        return JSON.readTree(out);
    }

    private String code(String line) throws Exception {
        JsonNode r = call(line);
        assertEquals(false, r.path("ok").asBoolean());
        return r.path("error").path("code").asText();
    }

    @Test
    void okResponseStartsWithOk() throws Exception {
        byte[] out =
                d.handle(
                        "{\"v\":1,\"op\":\"echo\",\"text\":\"ab\",\"times\":2}"
                                .getBytes(StandardCharsets.UTF_8),
                        ROOT);
        assertTrue(
                new String(out, StandardCharsets.UTF_8).startsWith("{\"ok\":true,"),
                "the C client relies on this prefix");
        assertEquals("abab", JSON.readTree(out).path("result").asText());
    }

    @Test
    void envelopeErrors() throws Exception {
        assertEquals("bad_json", code("{\"v\":1,"));
        assertEquals("bad_json", code("42"));
        assertEquals("bad_json", code("{\"v\":1} trailing"));
        assertEquals("bad_version", code("{\"op\":\"echo\"}"));
        assertEquals("bad_version", code("{\"v\":\"1\",\"op\":\"echo\"}"));
        assertEquals("bad_version", code("{\"v\":7,\"op\":\"echo\"}"));
        assertEquals("bad_request", code("{\"v\":1}"));
        assertEquals("unknown_op", code("{\"v\":1,\"op\":\"nope\"}"));
    }

    @Test
    void bodyErrors() throws Exception {
        assertEquals(
                "bad_request", code("{\"v\":1,\"op\":\"echo\",\"text\":\"a\",\"color\":\"red\"}"));
        assertEquals("bad_request", code("{\"v\":1,\"op\":\"echo\",\"times\":\"many\"}"));
        assertEquals("bad_request", code("{\"v\":1,\"op\":\"echo\"}"));
    }

    @Test
    void failuresOfTheOperation() throws Exception {
        JsonNode k = call("{\"v\":1,\"op\":\"echo\",\"text\":\"kernel\"}");
        assertEquals("kernel", k.path("error").path("code").asText());
        assertTrue(
                k.path("error").path("message").asText().contains("mount /x: EPERM"), k.toString());
        assertEquals("internal", code("{\"v\":1,\"op\":\"echo\",\"text\":\"boom\"}"));
    }

    @Test
    void unknownOpListsKnownOnes() throws Exception {
        JsonNode r = call("{\"v\":1,\"op\":\"nope\"}");
        assertTrue(r.path("error").path("message").asText().contains("echo"), r.toString());
    }

    @Test
    void outputTextIsRenderedByTheOperation() throws Exception {
        JsonNode r = call("{\"v\":1,\"op\":\"shout\",\"text\":\"h\u00e9\",\"output\":\"text\"}");
        assertEquals("{\"text\":\"H\u00c9 x0\\n\"}", r.path("result").toString(), r.toString());
        JsonNode data = call("{\"v\":1,\"op\":\"shout\",\"text\":\"a\",\"times\":3}");
        assertEquals("{\"left\":\"a\",\"right\":3}", data.path("result").toString());
    }

    @Test
    void outputJsonIsTheResultIndented() throws Exception {
        JsonNode r =
                call("{\"v\":1,\"op\":\"shout\",\"text\":\"a\",\"times\":3,\"output\":\"json\"}");
        assertEquals(
                "{\n  \"left\" : \"a\",\n  \"right\" : 3\n}\n",
                r.path("result").path("text").asText());
        // Any op: the JSON rendering needs nothing from it.
        JsonNode echo = call("{\"v\":1,\"op\":\"echo\",\"text\":\"a\",\"output\":\"json\"}");
        assertEquals("\"a\"\n", echo.path("result").path("text").asText());
    }

    @Test
    void outputErrors() throws Exception {
        assertEquals(
                "bad_request",
                code("{\"v\":1,\"op\":\"shout\",\"text\":\"a\",\"output\":\"yaml\"}"));
        assertEquals("bad_request", code("{\"v\":1,\"op\":\"shout\",\"text\":\"a\",\"output\":1}"));
        JsonNode r = call("{\"v\":1,\"op\":\"echo\",\"text\":\"a\",\"output\":\"text\"}");
        assertEquals("op 'echo' has no text output", r.path("error").path("message").asText());
    }
}
