package dev.nestlet.props;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generated values for property tests, biased towards the edges (0, -1, extremes, empty, control
 * and non-ASCII characters) where parsers break, as a uniform draw would rarely be.
 */
public final class Gen {
    private static final long[] EDGES = {0, 1, -1, 2, Integer.MAX_VALUE, Integer.MIN_VALUE};
    private static final char[] ODD_CHARS = {
        '\0', '\n', '\r', '\t', ' ', '"', '\\', '/', '.', '-', '+', '{', '[', '\u007f', '\u00e9',
        '\u2028', '\uffff', '\ud800', '\udc00'
    };

    private Gen() {}

    /** An index into {@code weights}, each chosen in proportion to its weight. */
    public static int weighted(SplittableRandom r, int... weights) {
        int n = r.nextInt(Arrays.stream(weights).sum());
        int i = 0;
        while (n >= weights[i]) {
            n -= weights[i++];
        }
        return i;
    }

    public static <T> T pick(SplittableRandom r, List<T> choices) {
        return choices.get(r.nextInt(choices.size()));
    }

    /** In {@code min..max}, both included. */
    public static int between(SplittableRandom r, int min, int max) {
        return r.nextInt(min, max + 1);
    }

    /** In {@code min..max}, both included. */
    public static long between(SplittableRandom r, long min, long max) {
        return r.nextLong(min, max + 1);
    }

    /** Any int, an edge one a fifth of the time. */
    public static int anyInt(SplittableRandom r) {
        return r.nextInt(5) == 0 ? (int) EDGES[r.nextInt(EDGES.length)] : r.nextInt();
    }

    /** Any long, an edge one (Long's too) a fifth of the time. */
    public static long anyLong(SplittableRandom r) {
        return switch (r.nextInt(10)) {
            case 0 -> EDGES[r.nextInt(EDGES.length)];
            case 1 -> r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
            default -> r.nextLong();
        };
    }

    /** Any double: small, huge, negative zero, infinities, NaN. */
    public static double anyDouble(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> -0.0;
            case 1 -> Double.MAX_VALUE;
            case 2 -> Double.NaN;
            case 3 -> r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 4 -> Double.longBitsToDouble(r.nextLong());
            default -> (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-10, 20));
        };
    }

    /** Up to {@code max} characters: ASCII, odd ones (controls, quotes, lone surrogates) or any. */
    public static String string(SplittableRandom r, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(
                    switch (weighted(r, 6, 2, 1)) {
                        case 0 -> (char) r.nextInt(0x20, 0x7f);
                        case 1 -> ODD_CHARS[r.nextInt(ODD_CHARS.length)];
                        default -> (char) r.nextInt(Character.MAX_VALUE + 1);
                    });
        }
        return s.toString();
    }

    /** Up to {@code max} bytes of any value. */
    public static byte[] bytes(SplittableRandom r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }
}
