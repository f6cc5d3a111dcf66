package dev.nestlet.vfs;

import java.util.Arrays;

/**
 * Builds the text of a virtual file as bytes (kernel files are ASCII). The kernel's layouts (padded
 * names, fixed decimals) are written by hand: String.format costs about a microsecond a call, and a
 * render has dozens; and text goes straight into one byte array, copied once at the end.
 */
final class TextOut {
    private byte[] buf = new byte[2048];
    private int len;

    private void room(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    TextOut append(CharSequence s) {
        return append(s, 0, s.length());
    }

    /**
     * Characters {@code start} to {@code end} of {@code s}: passes host lines through without a
     * substring.
     */
    TextOut append(CharSequence s, int start, int end) {
        room(end - start);
        for (int i = start; i < end; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
        return this;
    }

    TextOut append(char c) {
        room(1);
        buf[len++] = (byte) c;
        return this;
    }

    TextOut append(long v) {
        return append(Long.toString(v));
    }

    /**
     * {@code s} followed by spaces up to {@code width} columns (at least one space when it is
     * longer).
     */
    TextOut padRight(CharSequence s, int width) {
        append(s);
        for (int i = s.length(); i < width; i++) {
            append(' ');
        }
        return this;
    }

    /** {@code v} right-aligned in {@code width} columns. */
    TextOut padLeft(long v, int width) {
        String s = Long.toString(v);
        for (int i = s.length(); i < width; i++) {
            append(' ');
        }
        return append(s);
    }

    /**
     * {@code v} with two decimals, rounded half up, as printf's %.2f would for non-negative values.
     */
    TextOut fixed2(double v) {
        long hundredths = Math.round(Math.max(0, v) * 100);
        append(hundredths / 100).append('.');
        long frac = hundredths % 100;
        if (frac < 10) {
            append('0');
        }
        return append(frac);
    }

    byte[] bytes() {
        return Arrays.copyOf(buf, len);
    }
}
