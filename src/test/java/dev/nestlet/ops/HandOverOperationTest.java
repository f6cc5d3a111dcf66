package dev.nestlet.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.api.Dispatcher;
import dev.nestlet.api.Peer;
import dev.nestlet.api.PeerPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * op "handover" through the dispatcher, as a socket peer reaches it: root only (even when the group
 * may mutate), the path of the caller's socket required, once.
 */
class HandOverOperationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Peer ROOT = new Peer(10, 0, 0);
    private static final Peer MEMBER = new Peer(11, 1000, 4242);

    private final AtomicInteger stops = new AtomicInteger();

    /** A dispatcher whose policy lets group 4242 call mutating ops too. */
    private final Dispatcher dispatcher =
            new Dispatcher(JSON)
                    .mutatingAllowed(new PeerPolicy(OptionalInt.of(4242), true)::mayMutate)
                    .register(
                            new HandOverOperation(
                                    beside -> {
                                        assertEquals(Path.of("/run/n/.s.take-over-9"), beside);
                                        stops.incrementAndGet();
                                        return new HandOverOperation.Result(1234, 7);
                                    }));

    private static final String OK =
            "{\"v\":1,\"op\":\"handover\",\"socket\":\"/run/n/.s.take-over-9\"}";

    private JsonNode call(String line, Peer peer) throws Exception {
        return JSON.readTree(dispatcher.handle(line.getBytes(StandardCharsets.UTF_8), peer));
    }

    @Test
    void rootGetsThePidAndLockFdOfTheDaemonThatStoppedServing() throws Exception {
        JsonNode r = call(OK, ROOT);
        assertTrue(r.path("ok").asBoolean(), r.toString());
        assertEquals(1234, r.path("result").path("pid").asLong());
        assertEquals(7, r.path("result").path("lockFd").asInt());
        assertEquals(1, stops.get());
    }

    @Test
    void aGroupMemberAllowedToMutateIsStillRefused() throws Exception {
        JsonNode r = call(OK, MEMBER);
        assertFalse(r.path("ok").asBoolean(), r.toString());
        assertEquals("forbidden", r.path("error").path("code").asText(), r.toString());
        assertEquals(0, stops.get(), "nothing stopped");
    }

    @Test
    void unknownParametersAreRejectedBeforeAnythingStops() throws Exception {
        JsonNode r = call("{\"v\":1,\"op\":\"handover\",\"pid\":1}", ROOT);
        assertFalse(r.path("ok").asBoolean(), r.toString());
        assertEquals("bad_request", r.path("error").path("code").asText(), r.toString());
        assertEquals(0, stops.get(), "nothing stopped");
    }

    @Test
    void withoutTheCallersSocketNothingStops() throws Exception {
        JsonNode r = call("{\"v\":1,\"op\":\"handover\"}", ROOT);
        assertFalse(r.path("ok").asBoolean(), r.toString());
        assertEquals("bad_request", r.path("error").path("code").asText(), r.toString());
        assertEquals(0, stops.get(), "nothing stopped");
    }

    @Test
    void aSecondHandOverIsAConflict() throws Exception {
        assertTrue(call(OK, ROOT).path("ok").asBoolean());
        JsonNode r = call(OK, ROOT);
        assertFalse(r.path("ok").asBoolean(), r.toString());
        assertEquals("conflict", r.path("error").path("code").asText(), r.toString());
        assertEquals(1, stops.get(), "stopped once");
    }
}
