package dev.nestlet.engine;

import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Text nestlet puts into a config at an offset of the original. Every edit is an insertion, so
 * uninstall can take exactly these characters out again, even when the operator has changed other
 * parts of the file since.
 */
record Insertion(int offset, String text) {

    /** {@code original} with {@code insertions} applied (offsets are the original's). */
    static String apply(String original, List<Insertion> insertions) {
        StringBuilder s = new StringBuilder(original);
        // From the end, so offsets stay valid; of two at one offset, the first listed comes first.
        IntStream.range(0, insertions.size())
                .boxed()
                .sorted(
                        Comparator.comparingInt((Integer i) -> insertions.get(i).offset())
                                .thenComparingInt(i -> i)
                                .reversed())
                .forEach(i -> s.insert(insertions.get(i).offset(), insertions.get(i).text()));
        return s.toString();
    }

    /**
     * Text to append a block to {@code original}: a newline first if it lacks one, a blank line.
     */
    static Insertion append(String original, String block) {
        String sep = original.isEmpty() ? "" : original.endsWith("\n") ? "\n" : "\n\n";
        return new Insertion(original.length(), sep + block);
    }

    /**
     * Lines inserted at a line boundary at {@code offset} (after a last line without newline too).
     */
    static Insertion lines(String original, int offset, String lines) {
        boolean needsNewline =
                offset == original.length() && !original.isEmpty() && !original.endsWith("\n");
        return new Insertion(offset, (needsNewline ? "\n" : "") + lines);
    }
}
