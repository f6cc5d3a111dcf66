package dev.nestlet.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.json.Json;
import dev.nestlet.metrics.NestletMetrics;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns one request line into one response line: envelope checks (JSON, version, op), strict
 * decoding of the body, the operation, and the mapping of every failure to an error code. No I/O;
 * the server frames and times.
 */
public final class Dispatcher {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());

    private final ObjectMapper json;
    private final Map<String, Operation<?>> ops = new TreeMap<>();
    private Predicate<Peer> mayMutate = peer -> true;

    /** Read by the event loop while operations are still being registered. */
    private final Set<String> urgentNames = ConcurrentHashMap.newKeySet();

    public Dispatcher(ObjectMapper json) {
        this.json = Json.strict(json);
    }

    /** Who may call operations that are not {@link Operation#readOnly()}; everyone by default. */
    public Dispatcher mutatingAllowed(Predicate<Peer> who) {
        this.mayMutate = who;
        return this;
    }

    public Dispatcher register(Operation<?> op) {
        ops.put(op.name(), op);
        if (op.urgent()) {
            urgentNames.add(op.name());
        }
        return this;
    }

    /**
     * Whether {@code line} asks for an {@link Operation#urgent()} operation. Called on the event
     * loop: a line that cannot name one (no urgent op's name in its bytes) is not parsed here.
     */
    public boolean urgent(byte[] line) {
        if (urgentNames.stream()
                .noneMatch(name -> contains(line, name.getBytes(StandardCharsets.UTF_8)))) {
            return false;
        }
        try {
            JsonNode op = json.readTree(line).path("op");
            return op.isTextual() && urgentNames.contains(op.asText());
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean contains(byte[] line, byte[] name) {
        outer:
        for (int i = 0; i + name.length <= line.length; i++) {
            for (int j = 0; j < name.length; j++) {
                if (line[i + j] != name[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The response to {@code line} (without its newline), newline-terminated. */
    public byte[] handle(byte[] line, Peer peer) {
        ObjectNode response;
        try {
            response = ok(dispatch(line, peer));
        } catch (NestletException e) {
            response = error(e.code(), e.getMessage());
        } catch (SysException e) {
            response = error(ErrorCode.KERNEL, e.getMessage());
        } catch (TimeoutException e) {
            response = error(ErrorCode.TIMEOUT, e.getMessage());
        } catch (Exception e) {
            LOG.log(Level.WARNING, "request failed", e);
            response = error(ErrorCode.INTERNAL, e.toString());
        }
        return encode(response);
    }

    public byte[] encode(ObjectNode response) {
        try {
            byte[] body = json.writeValueAsBytes(response);
            byte[] out = new byte[body.length + 1];
            System.arraycopy(body, 0, out, 0, body.length);
            out[body.length] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a response", e);
        }
    }

    private Object dispatch(byte[] line, Peer peer) throws Exception {
        JsonNode tree;
        try {
            tree = json.readTree(line);
        } catch (JsonProcessingException e) {
            throw new NestletException(
                    ErrorCode.BAD_JSON, "request is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.CharConversionException e) {
            // Bytes the parser's encoding detection takes for UTF-32 it cannot read (found by
            // fuzzing: 00 00 c3 00): not JSON either.
            throw new NestletException(
                    ErrorCode.BAD_JSON, "request is not valid JSON: " + e.getMessage());
        }
        if (!(tree instanceof ObjectNode req)) {
            throw new NestletException(ErrorCode.BAD_JSON, "request must be a JSON object");
        }
        JsonNode v = req.remove("v");
        if (v == null || !v.isInt()) {
            throw new NestletException(
                    ErrorCode.BAD_VERSION, "request has no integer protocol version \"v\"");
        }
        if (v.intValue() != Protocol.VERSION) {
            throw new NestletException(
                    ErrorCode.BAD_VERSION,
                    "protocol version "
                            + v.intValue()
                            + " is not supported; this nestletd speaks version "
                            + Protocol.VERSION);
        }
        JsonNode opName = req.remove("op");
        if (opName == null || !opName.isTextual()) {
            throw new NestletException(ErrorCode.BAD_REQUEST, "request has no \"op\"");
        }
        Output output = Output.of(req.remove("output"));
        Operation<?> op = ops.get(opName.asText());
        if (op == null) {
            throw new NestletException(
                    ErrorCode.UNKNOWN_OP,
                    "unknown op '"
                            + opName.asText()
                            + "'; known: "
                            + String.join(", ", ops.keySet()));
        }
        if (!op.readOnly() && !mayMutate.test(peer)) {
            throw new NestletException(
                    ErrorCode.FORBIDDEN,
                    "op '"
                            + op.name()
                            + "' changes nestletd's state; "
                            + "uid "
                            + peer.uid()
                            + " may only use the read-only ops (status, ps, inspect, allocations, "
                            + "version)");
        }
        long t0 = System.nanoTime();
        try {
            return invoke(op, req, peer, output);
        } finally {
            NestletMetrics.REQUESTS.labelValues(op.name()).observe(NestletMetrics.since(t0));
        }
    }

    private <P> Object invoke(Operation<P> op, ObjectNode body, Peer peer, Output output)
            throws Exception {
        P params;
        try {
            params = json.treeToValue(body, op.params());
        } catch (UnrecognizedPropertyException e) {
            throw new NestletException(
                    ErrorCode.BAD_REQUEST,
                    "unknown field '" + e.getPropertyName() + "' for op '" + op.name() + "'");
        } catch (JsonProcessingException e) {
            throw new NestletException(
                    ErrorCode.BAD_REQUEST,
                    "bad body for op '" + op.name() + "': " + e.getOriginalMessage());
        }
        return switch (output) {
            case TEXT -> {
                if (op instanceof TextOperation<P, ?> t) {
                    yield rendered(text(t, params, peer));
                }
                throw new NestletException(
                        ErrorCode.BAD_REQUEST, "op '" + op.name() + "' has no text output");
            }
            case JSON -> rendered(Json.pretty(op.handle(params, peer)));
            case DATA -> op.handle(params, peer);
        };
    }

    private static <P, R> String text(TextOperation<P, R> op, P params, Peer peer)
            throws Exception {
        return op.text(op.result(params, peer));
    }

    /** A result rendered for a client to print as it is. */
    private ObjectNode rendered(String text) {
        return json.createObjectNode().put("text", text);
    }

    private ObjectNode ok(Object result) {
        ObjectNode r = json.createObjectNode();
        r.put("ok", true);
        r.set("result", json.valueToTree(result));
        return r;
    }

    public ObjectNode error(ErrorCode code, String message) {
        NestletMetrics.ERRORS.labelValues(WireCodes.of(code)).inc();
        ObjectNode r = json.createObjectNode();
        r.put("ok", false);
        ObjectNode e = r.putObject("error");
        e.put("code", WireCodes.of(code));
        e.put("message", message == null ? WireCodes.of(code) : message);
        return r;
    }
}
