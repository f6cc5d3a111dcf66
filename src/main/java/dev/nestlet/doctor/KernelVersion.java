package dev.nestlet.doctor;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A kernel release's major.minor, to say which version a missing feature needs. */
record KernelVersion(int major, int minor, String release) {
    private static final Pattern LEADING = Pattern.compile("^(\\d+)\\.(\\d+)");

    static KernelVersion parse(String release) {
        Matcher m = LEADING.matcher(release.trim());
        if (!m.find()) {
            throw new IllegalArgumentException("unreadable kernel release '" + release + "'");
        }
        return new KernelVersion(
                Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), release.trim());
    }

    boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }
}
