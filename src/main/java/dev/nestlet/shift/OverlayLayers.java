package dev.nestlet.shift;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The layers of an overlay mount, read from its super options in mountinfo. Docker gives lower
 * layers relative to its overlay2 directory ("l/ABC"), which is the grandparent of the upper dir;
 * others give absolute paths.
 */
public record OverlayLayers(List<Path> lower, Path upper, Path work, Map<String, String> options) {
    /** Options that change how overlay treats the layers; carried over to the rebuilt mount. */
    static final Set<String> CARRIED =
            Set.of(
                    "index",
                    "redirect_dir",
                    "metacopy",
                    "xino",
                    "nfs_export",
                    "uuid",
                    "userxattr",
                    "volatile");

    public static OverlayLayers parse(String superOptions) {
        List<String> lowerText = new ArrayList<>();
        String upper = null;
        String work = null;
        Map<String, String> carried = new LinkedHashMap<>();
        for (String opt : split(superOptions, ',')) {
            int eq = opt.indexOf('=');
            String key = eq < 0 ? opt : opt.substring(0, eq);
            String value = eq < 0 ? null : opt.substring(eq + 1);
            switch (key) {
                case "lowerdir" -> split(value, ':').forEach(l -> lowerText.add(unescape(l)));
                case "upperdir" -> upper = unescape(value);
                case "workdir" -> work = unescape(value);
                default -> {
                    if (CARRIED.contains(key)) {
                        carried.put(key, value);
                    }
                }
            }
        }
        if (lowerText.isEmpty()) {
            throw new IllegalArgumentException("overlay without lowerdir: " + superOptions);
        }
        Path base = upper == null ? null : Path.of(upper).getParent().getParent();
        List<Path> lower = new ArrayList<>();
        for (String l : lowerText) {
            Path p = Path.of(l);
            if (!p.isAbsolute()) {
                if (base == null) {
                    throw new IllegalArgumentException(
                            "relative lowerdir " + l + " without an upperdir");
                }
                p = base.resolve(p);
            }
            lower.add(p);
        }
        return new OverlayLayers(
                lower,
                upper == null ? null : Path.of(upper),
                work == null ? null : Path.of(work),
                carried);
    }

    /** Splits on {@code sep} where it is not escaped; the pieces keep their escapes. */
    static List<String> split(String s, char sep) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == sep) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    /**
     * Undoes escapes: the kernel writes special characters of options as octal ({@code \054}),
     * overlay's own syntax escapes ':' and ',' with a backslash.
     */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else if (c == '\\' && i + 1 < s.length()) {
                b.append(s.charAt(++i));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
