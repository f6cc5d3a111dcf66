package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The host's mount table as tests see it. */
public final class Mounts {
    private Mounts() {}

    /** Mount points (unescaped) of /proc/self/mountinfo. */
    public static List<String> mountPoints() {
        List<String> out = new ArrayList<>();
        for (String line : mountInfoLines("self")) {
            out.add(unescape(line.split(" ")[4]));
        }
        return out;
    }

    public static List<String> mountInfoLines(String pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Host mountinfo lines that mention {@code text} in their root, mount point or source. */
    public static List<String> mentioning(String text) {
        return mountInfoLines("self").stream().filter(l -> l.contains(text)).toList();
    }

    /**
     * Mounts an overlay of {@code lowers} (the top layer first) at {@code merged}, creating {@code
     * upper}, {@code work} and {@code merged}; returns {@code merged}. The caller unmounts it (e.g.
     * {@link #unmountBelow}).
     */
    public static Path overlay(List<Path> lowers, Path upper, Path work, Path merged)
            throws IOException {
        for (Path d : List.of(upper, work, merged)) {
            Files.createDirectories(d);
        }
        Cmd.of(
                        "mount",
                        "-t",
                        "overlay",
                        "overlay",
                        "-o",
                        "lowerdir="
                                + String.join(":", lowers.stream().map(Path::toString).toList())
                                + ",upperdir="
                                + upper
                                + ",workdir="
                                + work,
                        merged.toString())
                .run()
                .ok();
        return merged;
    }

    /** Lazily unmounts everything mounted at or below {@code dir}, deepest first. */
    public static void unmountBelow(Path dir) {
        List<String> points = mountPoints();
        String d = dir.toString();
        for (int i = points.size() - 1; i >= 0; i--) {
            String p = points.get(i);
            if (p.equals(d) || p.startsWith(d + "/")) {
                Cmd.of("umount", "-l", p).run();
            }
        }
    }

    static String unescape(String s) {
        return s.replace("\\040", " ")
                .replace("\\011", "\t")
                .replace("\\012", "\n")
                .replace("\\134", "\\");
    }
}
