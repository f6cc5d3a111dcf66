package dev.nestlet.engine;

import java.util.List;
import java.util.Optional;

/**
 * What install does to one file of the node: its text before ({@code before} empty: absent) and the
 * insertions that make the text after. Texts are ISO-8859-1 decodings of the bytes, so every byte,
 * valid UTF-8 or not, comes back unchanged.
 */
record FileChange(String path, Optional<String> before, List<Insertion> insertions) {
    FileChange {
        insertions = List.copyOf(insertions);
    }

    String after() {
        return Insertion.apply(before.orElse(""), insertions);
    }
}
