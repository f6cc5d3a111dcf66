package dev.nestlet.cgroup;

import dev.nestlet.sys.Errno;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.SysException;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * Reading and parsing the few text shapes cgroup files have (kernel's cgroup-v2.rst names them): a
 * single value where "max" means no limit, "flat keyed" lines of "key value", and CPU lists.
 */
public final class CgroupText {
    /** What a limit of "max" (v2) or the v1 page-rounded LONG_MAX reads as. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    /** v1 reports "no limit" as LONG_MAX rounded down to a page; anything this big is unlimited. */
    private static final long V1_UNLIMITED_FLOOR = 1L << 62;

    private CgroupText() {}

    /**
     * The file's text read once (no fd kept); a missing file (controller or knob absent) is null.
     */
    public static String readOptional(Path file) {
        try {
            return FileCalls.readText(file.toString());
        } catch (SysException e) {
            if (e.is(Errno.ENOENT)) {
                return null;
            }
            throw e;
        }
    }

    /**
     * A number or "max"; v1's huge "unlimited" values also read as {@link #UNLIMITED}; null text is
     * {@code absent}.
     */
    public static long limit(String text, long absent) {
        if (text == null) {
            return absent;
        }
        String t = text.trim();
        if (t.equals("max") || t.equals("-1")) {
            return UNLIMITED;
        }
        return limit(Long.parseLong(t));
    }

    /** A limit value as a number, with v1's huge "unlimited" values as {@link #UNLIMITED}. */
    public static long limit(long v) {
        return v >= V1_UNLIMITED_FLOOR ? UNLIMITED : v;
    }

    /**
     * The value of {@code key} in "key value" lines (memory.stat, cpu.stat), {@code absent} when
     * the key (or the text) is missing. Scans instead of building a map: a render needs a dozen of
     * the hundred keys, and every map would be garbage a moment later.
     */
    public static long keyed(String text, String key, long absent) {
        if (text == null) {
            return absent;
        }
        int i = text.startsWith(key + " ") ? 0 : text.indexOf("\n" + key + " ");
        if (i < 0) {
            return absent;
        }
        int p = text.indexOf(' ', i + (i == 0 ? 0 : 1)) + 1;
        long v = 0;
        for (; p < text.length() && text.charAt(p) >= '0' && text.charAt(p) <= '9'; p++) {
            v = v * 10 + (text.charAt(p) - '0');
        }
        return v;
    }

    /** A CPU list such as "0-3,8,10-11" (cpuset files, /sys/devices/system/cpu/online). */
    public static BitSet cpuList(String text) {
        BitSet cpus = new BitSet();
        String t = text.trim();
        if (t.isEmpty()) {
            return cpus;
        }
        for (String part : t.split(",")) {
            int dash = part.indexOf('-');
            if (dash < 0) {
                cpus.set(Integer.parseInt(part));
            } else {
                cpus.set(
                        Integer.parseInt(part.substring(0, dash)),
                        Integer.parseInt(part.substring(dash + 1)) + 1);
            }
        }
        return cpus;
    }
}
