package dev.nestlet.kernel;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel release's major.minor: the running kernel's, the one a {@code --kernel-compat} names, or
 * the one that introduced a feature.
 */
public record KernelVersion(int major, int minor, String release) {
    private static final Pattern LEADING = Pattern.compile("^(\\d+)\\.(\\d+)");

    /** "6.18.44-fc", "6.1": anything that starts with major.minor. */
    public static KernelVersion parse(String release) {
        Matcher m = LEADING.matcher(release.trim());
        if (!m.find()) {
            throw new IllegalArgumentException("unreadable kernel release '" + release + "'");
        }
        return new KernelVersion(
                Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), release.trim());
    }

    public boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }

    /** major.minor, without the rest of the release. */
    public String majorMinor() {
        return major + "." + minor;
    }
}
