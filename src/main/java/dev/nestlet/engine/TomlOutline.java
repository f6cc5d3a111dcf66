package dev.nestlet.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the tables and keys of a TOML text are, by character offset, so that nestlet's lines can be
 * inserted into an engine's config without re-serialising it (comments, order and layout stay).
 * Only what the mergers need: table headers, keys with the extent of their values, strings of an
 * array value. Values are skipped with strings, arrays and inline tables, multi-line ones included.
 */
final class TomlOutline {
    /** A {@code [table]} (or {@code [[array]]}) header: where it starts and its line ends. */
    record Table(List<String> path, int start, int bodyStart) {}

    /** {@code key = value} in {@code table} (empty: the root): the value's extent. */
    record Key(List<String> table, List<String> path, int valueStart, int valueEnd) {}

    private final String text;
    private final List<Table> tables = new ArrayList<>();
    private final List<Key> keys = new ArrayList<>();
    private int pos;

    private TomlOutline(String text) {
        this.text = text;
    }

    static TomlOutline of(String text) {
        TomlOutline o = new TomlOutline(text);
        o.scan();
        return o;
    }

    /** As {@link #of(String)}; the error names {@code file} and says nothing was changed. */
    static TomlOutline of(String file, String text) {
        try {
            return of(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    file + ": cannot read it as TOML (" + e.getMessage() + "); nothing changed", e);
        }
    }

    List<Table> tables() {
        return tables;
    }

    List<Key> keys() {
        return keys;
    }

    Optional<Table> table(List<String> path) {
        return tables.stream().filter(t -> t.path().equals(path)).findFirst();
    }

    Optional<Key> key(List<String> table, List<String> path) {
        return keys.stream()
                .filter(k -> k.table().equals(table) && k.path().equals(path))
                .findFirst();
    }

    /** Whether a header or a dotted key defines {@code path} or something below it. */
    boolean defines(List<String> path) {
        return tables.stream().anyMatch(t -> startsWith(t.path(), path))
                || keys.stream().anyMatch(k -> startsWith(full(k), path));
    }

    /** The text of a key's value. */
    String value(Key k) {
        return text.substring(k.valueStart(), k.valueEnd());
    }

    /** The strings of an array value ({@code ["a", 'b']}); empty when it is no array. */
    static List<String> strings(String value) {
        TomlOutline o = new TomlOutline(value);
        List<String> out = new ArrayList<>();
        o.skipBlank();
        if (!o.at("[")) {
            return out;
        }
        o.pos++;
        while (o.pos < value.length()) {
            char c = value.charAt(o.pos);
            if (c == '"' || c == '\'') {
                out.add(o.string());
            } else if (c == '#') {
                o.skipLine();
            } else {
                o.pos++;
            }
        }
        return out;
    }

    /** {@code s} as a TOML basic string. */
    static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static List<String> full(Key k) {
        List<String> p = new ArrayList<>(k.table());
        p.addAll(k.path());
        return p;
    }

    private static boolean startsWith(List<String> p, List<String> prefix) {
        return p.size() >= prefix.size() && p.subList(0, prefix.size()).equals(prefix);
    }

    private void scan() {
        List<String> table = List.of();
        while (pos < text.length()) {
            skipBlank();
            if (pos >= text.length()) {
                break;
            }
            char c = text.charAt(pos);
            if (c == '\n' || c == '#') {
                skipLine();
            } else if (c == '[') {
                int start = pos;
                boolean array = at("[[");
                pos += array ? 2 : 1;
                table = keyPath();
                skipBlank();
                if (!at(array ? "]]" : "]")) {
                    throw new IllegalArgumentException(
                            "line " + line(pos) + ": a table header lacks its ']'");
                }
                pos += array ? 2 : 1;
                skipLine();
                tables.add(new Table(table, start, pos));
            } else {
                List<String> path = keyPath();
                skipBlank();
                if (!at("=")) {
                    throw new IllegalArgumentException(
                            "line " + line(pos) + ": expected '=' after a key");
                }
                pos++;
                skipBlank();
                int valueStart = pos;
                skipValue();
                keys.add(new Key(table, path, valueStart, pos));
                skipLine();
            }
        }
    }

    private List<String> keyPath() {
        List<String> path = new ArrayList<>();
        while (true) {
            skipBlank();
            if (pos >= text.length()) {
                throw new IllegalArgumentException("line " + line(pos) + ": a key ends the file");
            }
            char c = text.charAt(pos);
            if (c == '"' || c == '\'') {
                path.add(string());
            } else {
                int start = pos;
                while (pos < text.length() && bare(text.charAt(pos))) {
                    pos++;
                }
                if (start == pos) {
                    throw new IllegalArgumentException(
                            "line " + line(pos) + ": expected a key, found '" + c + "'");
                }
                path.add(text.substring(start, pos));
            }
            skipBlank();
            if (!at(".")) {
                return List.copyOf(path);
            }
            pos++;
        }
    }

    /** Skips one value; stops after it (before a comment or the end of the line). */
    private void skipValue() {
        int depth = 0;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"' || c == '\'') {
                string();
            } else if (c == '[' || c == '{') {
                depth++;
                pos++;
            } else if (c == ']' || c == '}') {
                depth--;
                pos++;
            } else if (c == '#' && depth > 0) {
                skipLine();
            } else if ((c == '\n' || c == '#') && depth == 0) {
                break;
            } else {
                pos++;
            }
        }
        while (pos > 0 && (text.charAt(pos - 1) == ' ' || text.charAt(pos - 1) == '\t')) {
            pos--;
        }
    }

    /** Reads a basic, literal or multi-line string; returns its value (common escapes only). */
    private String string() {
        char q = text.charAt(pos);
        String delim = at(String.valueOf(q).repeat(3)) ? String.valueOf(q).repeat(3) : "" + q;
        pos += delim.length();
        StringBuilder s = new StringBuilder();
        while (pos < text.length() && !at(delim)) {
            char c = text.charAt(pos++);
            if (c == '\\' && q == '"' && pos < text.length()) {
                char e = text.charAt(pos++);
                s.append(
                        switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            default -> e;
                        });
            } else {
                s.append(c);
            }
        }
        if (pos >= text.length()) {
            throw new IllegalArgumentException("unterminated string");
        }
        pos += delim.length();
        return s.toString();
    }

    private void skipBlank() {
        while (pos < text.length()
                && (text.charAt(pos) == ' '
                        || text.charAt(pos) == '\t'
                        || text.charAt(pos) == '\r')) {
            pos++;
        }
    }

    private void skipLine() {
        while (pos < text.length() && text.charAt(pos) != '\n') {
            pos++;
        }
        if (pos < text.length()) {
            pos++;
        }
    }

    private boolean at(String s) {
        return text.startsWith(s, pos);
    }

    private int line(int offset) {
        return (int)
                        text.substring(0, Math.min(offset, text.length()))
                                .chars()
                                .filter(c -> c == '\n')
                                .count()
                + 1;
    }

    private static boolean bare(char c) {
        return (Character.isLetterOrDigit(c) && c < 128) || c == '_' || c == '-';
    }
}
