package dev.nestlet.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of /proc/PID/mountinfo, with the kernel's octal escapes undone; {@link MountTable} reads
 * a whole table.
 */
public record MountInfo(
        int id,
        int parent,
        String root,
        String mountPoint,
        String options,
        String fsType,
        String source,
        String superOptions) {

    public static List<MountInfo> parse(String text) {
        List<MountInfo> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            int dash = 6;
            while (!f[dash].equals("-")) {
                dash++;
            }
            out.add(
                    new MountInfo(
                            Integer.parseInt(f[0]),
                            Integer.parseInt(f[1]),
                            unescape(f[3]),
                            unescape(f[4]),
                            f[5],
                            f[dash + 1],
                            unescape(f[dash + 2]),
                            dash + 3 < f.length ? f[dash + 3] : ""));
        }
        return out;
    }

    /**
     * The most of a mount table nestletd reads (a container controls its own table: 10 000 mounts
     * take about 1.5 MiB); a larger one is an IOException, which fails only that container's call.
     */
    public static final int MAX_TABLE_BYTES = 16 << 20;

    public static byte[] readBounded(Path file, int max) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new IOException(file + " is larger than " + max + " bytes");
            }
            return bytes;
        }
    }

    /**
     * Mount points are bytes, not always UTF-8 (a container may make any name): invalid sequences
     * become U+FFFD instead of failing every parse of that table. nestlet's own paths are ASCII, so
     * they still compare equal.
     */
    public static String decode(byte[] bytes) {
        return new String(
                bytes, java.nio.charset.StandardCharsets.UTF_8); // replaces what is malformed
    }

    /** True when this mount is at {@code dir} or below it. */
    public boolean isAtOrBelow(String dir) {
        return mountPoint.equals(dir) || mountPoint.startsWith(dir.endsWith("/") ? dir : dir + "/");
    }

    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
