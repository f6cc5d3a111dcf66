package dev.nestlet.vfs.sysctl;

import dev.nestlet.sys.Errno;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How the kernel reads and prints one sysctl, so that a virtual one accepts, refuses and shows
 * exactly what the kernel's own would (kernel/sysctl.c, measured against it on 6.18):
 *
 * <ul>
 *   <li>{@code /proc/sys} files: up to {@code count} numbers separated by blanks, each in C's base
 *       0 (0x hex, leading 0 octal) with an optional '-', at most 20 characters, followed by a
 *       blank or the end; leading and trailing whitespace is skipped; a value outside min..max, an
 *       overflow or no number at all is EINVAL. Fewer numbers than {@code count} keep the others; a
 *       write consumes only what it parsed; a write at a non-zero offset is accepted and ignored
 *       (kernel.sysctl_writes_strict=1, the default). Printed tab-separated with a newline.
 *   <li>Module parameters in /sys ({@code moduleParam}): kstrtouint, an optional '+', base 0, one
 *       trailing newline at most; above UINT_MAX is ERANGE; every write replaces the value.
 * </ul>
 *
 * @param unsigned negative numbers are refused even when 0 is allowed (proc_doulongvec)
 * @param ordered the values must not decrease (a range such as ip_local_port_range)
 * @param nonZeroIsOne any non-zero value is stored as 1 (bridge-nf-call-*)
 */
public record SysctlSyntax(
        boolean moduleParam,
        int count,
        long min,
        long max,
        boolean unsigned,
        boolean ordered,
        boolean nonZeroIsOne) {

    /** What a write did: the new values and how many bytes of the input it consumed. */
    public record Parsed(long[] values, int consumed) {}

    static final long INT_MIN = Integer.MIN_VALUE;
    static final long INT_MAX = Integer.MAX_VALUE;
    private static final long UINT_MAX = 0xffffffffL;

    /** proc_get_long's buffer: a number of 21 characters or more is refused. */
    private static final int TMPBUFLEN = 22;

    /** A sysctl write is cut to one page less its terminating NUL. */
    private static final int MAX_WRITE = 4095;

    /** proc_dointvec_minmax: one int within min..max. */
    public static SysctlSyntax ints(long min, long max) {
        return new SysctlSyntax(false, 1, min, max, false, false, false);
    }

    /** proc_dointvec: any int. */
    public static SysctlSyntax anyInt() {
        return ints(INT_MIN, INT_MAX);
    }

    /**
     * proc_doulongvec_minmax, proc_dou8vec_minmax: one unsigned number within min..max; '-' is
     * refused.
     */
    public static SysctlSyntax nonNegative(long min, long max) {
        return new SysctlSyntax(false, 1, min, max, true, false, false);
    }

    /** proc_dointvec_jiffies: seconds, stored as jiffies, so at most INT_MAX / HZ either way. */
    public static SysctlSyntax jiffies(int hz) {
        return ints(-(INT_MAX / hz), INT_MAX / hz);
    }

    /** A low-high pair within min..max, low not above high (ipv4_local_port_range). */
    public static SysctlSyntax range(long min, long max) {
        return new SysctlSyntax(false, 2, min, max, false, true, false);
    }

    /** proc_dointvec, then any non-zero value becomes 1 (br_netfilter's call tables). */
    public static SysctlSyntax flag() {
        return new SysctlSyntax(false, 1, INT_MIN, INT_MAX, false, false, true);
    }

    /**
     * A uint module parameter within min..max; above max (but within UINT_MAX) is ENOMEM, as for
     * hashsize.
     */
    public static SysctlSyntax moduleUint(long min, long max) {
        return new SysctlSyntax(true, 1, min, max, true, false, false);
    }

    /**
     * Applies a write of {@code data} at {@code offset} to {@code current}.
     *
     * @throws SysctlInputException with the errno the kernel would return; nothing changes then
     */
    public Parsed parse(byte[] data, long offset, long[] current) {
        if (data.length == 0 || (offset != 0 && !moduleParam)) {
            return new Parsed(current, data.length);
        }
        return moduleParam ? parseParam(data) : parseProc(data, current);
    }

    private Parsed parseProc(byte[] data, long[] current) {
        int end = Math.min(data.length, MAX_WRITE);
        long[] next = Arrays.copyOf(current, count);
        int p = skipSpaces(data, 0, end);
        int parsed = 0;
        while (parsed < count && p < end) {
            Literal n = number(data, p, end);
            next[parsed++] = convert(n);
            p = skipSpaces(data, n.end, end);
        }
        if (parsed == 0) {
            throw new SysctlInputException(Errno.EINVAL);
        }
        if (ordered && next[1] < next[0]) {
            throw new SysctlInputException(Errno.EINVAL);
        }
        return new Parsed(next, data.length - (end - p));
    }

    private record Literal(long magnitude, boolean negative, int end) {}

    /** proc_get_long at {@code p}: a number, then a blank or the end of the input. */
    private static Literal number(byte[] data, int p, int end) {
        int limit = Math.min(end, p + TMPBUFLEN - 1);
        boolean negative = data[p] == '-' && end - p > 1;
        int q = negative ? p + 1 : p;
        if (q >= limit || !isDigit(data[q])) {
            throw new SysctlInputException(Errno.EINVAL);
        }
        long[] value = new long[1];
        int stop = parseUnsigned(data, q, limit, value);
        if (stop < 0 || stop - p == TMPBUFLEN - 1) {
            throw new SysctlInputException(Errno.EINVAL);
        }
        if (stop < end && data[stop] != ' ' && data[stop] != '\t' && data[stop] != '\n') {
            throw new SysctlInputException(Errno.EINVAL);
        }
        return new Literal(value[0], negative, stop);
    }

    /** The conversion of the handler: int or unsigned long range, then min..max. */
    private long convert(Literal n) {
        long v;
        if (unsigned) {
            if (n.negative) {
                throw new SysctlInputException(Errno.EINVAL);
            }
            v = n.magnitude;
        } else {
            long limit = n.negative ? INT_MAX + 1 : INT_MAX;
            if (Long.compareUnsigned(n.magnitude, limit) > 0) {
                throw new SysctlInputException(Errno.EINVAL);
            }
            v = n.negative ? -n.magnitude : n.magnitude;
        }
        if ((unsigned && Long.compareUnsigned(v, max) > 0) || v < min || (!unsigned && v > max)) {
            throw new SysctlInputException(Errno.EINVAL);
        }
        return nonZeroIsOne && v != 0 ? 1 : v;
    }

    /** kstrtouint(s, 0): the whole write must be the number, with one newline at most after it. */
    private Parsed parseParam(byte[] data) {
        int end = data.length;
        if (end > 0 && data[end - 1] == '\n') {
            end--;
        }
        int p = end > 0 && data[0] == '+' ? 1 : 0;
        long[] value = new long[1];
        int stop = p < end ? parseUnsigned(data, p, end, value) : p;
        if (stop == -1) {
            throw new SysctlInputException(Errno.ERANGE);
        }
        if (stop == p || stop != end) {
            throw new SysctlInputException(Errno.EINVAL);
        }
        long v = value[0];
        if (Long.compareUnsigned(v, UINT_MAX) > 0) {
            throw new SysctlInputException(Errno.ERANGE);
        }
        if (v < min) {
            throw new SysctlInputException(Errno.EINVAL);
        }
        if (v > max) {
            // nf_ct_alloc_hashtable refuses a table it could not index; the resize then fails so
            throw new SysctlInputException(Errno.ENOMEM);
        }
        return new Parsed(new long[] {v}, data.length);
    }

    /**
     * The kernel's base-0 unsigned parse (_parse_integer_fixup_radix, _parse_integer): "0x" before
     * a hex digit is hex, another leading 0 octal, else decimal; stops at the first character that
     * is not a digit of the base. Stores the value in {@code out[0]}; returns where it stopped, or
     * -1 on a 64-bit overflow.
     */
    private static int parseUnsigned(byte[] s, int p, int end, long[] out) {
        int base = 10;
        if (s[p] == '0') {
            if (p + 2 < end && (s[p + 1] | 0x20) == 'x' && Character.digit(s[p + 2], 16) >= 0) {
                base = 16;
                p += 2;
            } else {
                base = 8;
            }
        }
        long v = 0;
        int i = p;
        for (; i < end; i++) {
            int d = Character.digit(s[i], base);
            if (d < 0) {
                break;
            }
            long shifted = v * base;
            if (Long.divideUnsigned(shifted, base) != v
                    || Long.compareUnsigned(shifted + d, shifted) < 0) {
                return -1;
            }
            v = shifted + d;
        }
        out[0] = v;
        return i;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /**
     * The kernel's isspace(): blank, tab to carriage return, and Latin-1 no-break space
     * (lib/ctype.c).
     */
    private static int skipSpaces(byte[] data, int p, int end) {
        while (p < end
                && (data[p] == ' '
                        || (data[p] >= '\t' && data[p] <= '\r')
                        || data[p] == (byte) 0xa0)) {
            p++;
        }
        return p;
    }

    /** The kernel's text: the values tab-separated, a newline after them. */
    public byte[] render(long[] values) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.append('\t');
            }
            out.append(unsigned ? Long.toUnsignedString(values[i]) : Long.toString(values[i]));
        }
        return out.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses a value as the kernel printed it (a host file read when a container starts). */
    public long[] parseShown(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length != count) {
            throw new IllegalArgumentException(
                    "expected " + count + " value(s), read '" + text.trim() + "'");
        }
        long[] v = new long[count];
        for (int i = 0; i < count; i++) {
            v[i] = unsigned ? Long.parseUnsignedLong(parts[i]) : Long.parseLong(parts[i]);
        }
        return v;
    }
}
