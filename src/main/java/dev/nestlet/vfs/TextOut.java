package dev.nestlet.vfs;

import java.nio.charset.StandardCharsets;

/**
 * Builds the text of a virtual file. The kernel's layouts (padded names, fixed decimals) are
 * written by hand: String.format costs about a microsecond a call, a render has dozens.
 */
final class TextOut {
    private final StringBuilder sb = new StringBuilder(4096);

    TextOut append(String s) {
        sb.append(s);
        return this;
    }

    TextOut append(char c) {
        sb.append(c);
        return this;
    }

    TextOut append(long v) {
        sb.append(v);
        return this;
    }

    /** {@code s} followed by spaces up to {@code width} columns (at least one space when it is longer). */
    TextOut padRight(String s, int width) {
        sb.append(s);
        for (int i = s.length(); i < width; i++) {
            sb.append(' ');
        }
        return this;
    }

    /** {@code v} right-aligned in {@code width} columns. */
    TextOut padLeft(long v, int width) {
        String s = Long.toString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append(' ');
        }
        sb.append(s);
        return this;
    }

    /** {@code v} with two decimals, rounded half up, as printf's %.2f would for non-negative values. */
    TextOut fixed2(double v) {
        long hundredths = Math.round(Math.max(0, v) * 100);
        sb.append(hundredths / 100).append('.');
        long frac = hundredths % 100;
        if (frac < 10) {
            sb.append('0');
        }
        sb.append(frac);
        return this;
    }

    byte[] bytes() {
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
