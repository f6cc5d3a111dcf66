package dev.nestlet.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one Jackson mapper nestlet reads and writes JSON with: bundles, runtime messages, state
 * files, the journal, the socket protocol. It has Jackson's defaults (unknown fields tolerated
 * where a type says so); share it, never reconfigure it: a stricter reader is a {@link #strict}
 * copy.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * A copy of {@code base} for input nestlet defines itself (protocol requests): unknown fields,
     * missing primitives and anything after the value are errors.
     */
    public static ObjectMapper strict(ObjectMapper base) {
        return base.copy()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /**
     * {@code value} as indented JSON ending in a newline: what nestletctl prints for {@code -o
     * json} and {@code inspect}. Through a tree, as the socket sends results, so that both print
     * the same document.
     */
    public static String pretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter()
                            .writeValueAsString(MAPPER.valueToTree(value))
                    + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a " + value.getClass().getName(), e);
        }
    }
}
