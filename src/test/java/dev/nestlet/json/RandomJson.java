package dev.nestlet.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.props.Gen;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generated JSON for property tests: any value, and objects whose keys are mostly the ones the code
 * under test looks for, so that generated input reaches past the first check.
 */
public final class RandomJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private RandomJson() {}

    /** Null, booleans, numbers, short strings (from {@code words} as often as any string). */
    public static JsonNode scalar(SplittableRandom r, List<String> words) {
        return switch (r.nextInt(7)) {
            case 0 -> F.nullNode();
            case 1 -> F.booleanNode(r.nextBoolean());
            case 2 -> F.numberNode(Gen.anyInt(r));
            case 3 -> F.numberNode(Gen.anyLong(r));
            case 4 -> F.numberNode(Gen.anyDouble(r));
            case 5 -> F.textNode(Gen.string(r, 12));
            default -> F.textNode(Gen.pick(r, words));
        };
    }

    /**
     * Any value up to {@code depth} levels of arrays and objects, keys and strings from {@code
     * words}.
     */
    public static JsonNode value(SplittableRandom r, int depth, List<String> words) {
        if (depth == 0) {
            return scalar(r, words);
        }
        return switch (Gen.weighted(r, 3, 1, 2)) {
            case 0 -> scalar(r, words);
            case 1 -> array(r, depth - 1, words);
            default -> object(r, depth - 1, words);
        };
    }

    /** Up to 4 elements of {@link #value} at {@code depth}. */
    public static ArrayNode array(SplittableRandom r, int depth, List<String> words) {
        ArrayNode a = F.arrayNode();
        for (int n = r.nextInt(5); n > 0; n--) {
            a.add(value(r, depth, words));
        }
        return a;
    }

    /**
     * Up to 6 members whose values are {@link #value} at {@code depth}, keys mostly {@code keys}.
     */
    public static ObjectNode object(SplittableRandom r, int depth, List<String> keys) {
        ObjectNode o = F.objectNode();
        for (int n = r.nextInt(7); n > 0; n--) {
            String key = Gen.weighted(r, 4, 1) == 0 ? Gen.pick(r, keys) : Gen.string(r, 8);
            o.set(key, value(r, depth, keys));
        }
        return o;
    }
}
