package dev.nestlet.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/**
 * Generated JSON for property tests: any value, and objects whose keys are mostly the ones the code
 * under test looks for, so that generated input reaches past the first check.
 */
public final class JsonArbitraries {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private JsonArbitraries() {}

    /** Null, booleans, numbers, short strings (from {@code words} half the time). */
    public static Arbitrary<JsonNode> scalars(List<String> words) {
        return Arbitraries.oneOf(
                Arbitraries.just(F.nullNode()),
                Arbitraries.of(true, false).map(F::booleanNode),
                Arbitraries.integers().map(F::numberNode),
                Arbitraries.longs().map(F::numberNode),
                Arbitraries.doubles().map(F::numberNode),
                Arbitraries.strings().ofMaxLength(12).map(F::textNode),
                Arbitraries.of(words).map(F::textNode));
    }

    /**
     * Any value up to {@code depth} levels of arrays and objects, keys and strings from {@code
     * words}.
     */
    public static Arbitrary<JsonNode> values(int depth, List<String> words) {
        Arbitrary<JsonNode> leaf = scalars(words);
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<JsonNode> inner = values(depth - 1, words);
        return Arbitraries.frequencyOf(
                Tuple.of(3, leaf),
                Tuple.of(1, arrays(inner)),
                Tuple.of(2, objects(inner, words).map(o -> (JsonNode) o)));
    }

    public static Arbitrary<JsonNode> arrays(Arbitrary<JsonNode> elements) {
        return elements.list()
                .ofMaxSize(4)
                .map(
                        l -> {
                            ArrayNode a = F.arrayNode();
                            l.forEach(a::add);
                            return a;
                        });
    }

    /** Objects of up to 6 members, keys mostly from {@code keys}. */
    public static Arbitrary<ObjectNode> objects(Arbitrary<JsonNode> values, List<String> keys) {
        Arbitrary<String> key =
                Arbitraries.frequencyOf(
                        Tuple.of(4, Arbitraries.of(keys)),
                        Tuple.of(1, Arbitraries.strings().ofMaxLength(8)));
        return Arbitraries.maps(key, values)
                .ofMaxSize(6)
                .map(
                        m -> {
                            ObjectNode o = F.objectNode();
                            m.forEach(o::set);
                            return o;
                        });
    }
}
