package dev.nestlet.vfs.sysctl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nestlet.sys.Errno;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parsing and printing as the kernel's handlers do. Every "kernel:" case below was written to a
 * sysctl of a fresh network namespace on Linux 6.18 (net.ipv4.conf.all.route_localnet for
 * proc_dointvec, net.ipv4.ip_local_port_range for the range) and the result noted.
 */
class SysctlSyntaxTest {
    private static final long[] ZERO = {0};

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static long write(SysctlSyntax syntax, String input) {
        return syntax.parse(b(input), 0, ZERO).values()[0];
    }

    private static int refused(SysctlSyntax syntax, String input, long[] current) {
        return assertThrows(
                        SysctlInputException.class,
                        () -> syntax.parse(b(input), 0, current),
                        "'" + input + "' must be refused")
                .errno();
    }

    @ParameterizedTest(name = "kernel: [{0}] -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "10|10",
                "10\\n|10",
                "' 12'|12",
                "'\\t5'|5",
                "'  8  '|8",
                "9\\n\\n|9",
                "0x10|16",
                "0X1f|31",
                "010|8",
                "00|0",
                "-1|-1",
                "-0|0",
                "-2147483648|-2147483648",
                "2147483647|2147483647",
                "'1 x'|1",
                "'5 6'|5"
            })
    void acceptedLikeProcDointvec(String input, long expected) {
        assertEquals(
                expected,
                write(SysctlSyntax.anyInt(), input.replace("\\n", "\n").replace("\\t", "\t")));
    }

    @ParameterizedTest(name = "kernel: [{0}] -> EINVAL")
    @CsvSource(
            delimiter = '|',
            value = {
                "12abc",
                "x",
                "+5",
                "'- 1'",
                "-",
                "0x",
                "1x",
                "1e3",
                "08",
                "0x1G",
                "'   '",
                "1\\u000b",
                "1\\r",
                "2147483648",
                "-2147483649",
                "99999999999999999999",
                "18446744073709551616",
                "000000000000000000005",
                "0000000000000000000005"
            })
    void refusedLikeProcDointvec(String input) {
        String in = input.replace("\\u000b", "\u000b").replace("\\r", "\r");
        assertEquals(Errno.EINVAL, refused(SysctlSyntax.anyInt(), in, ZERO));
    }

    @Test
    void aWriteConsumesWhatItParsedAndIgnoresOffsets() {
        assertEquals(2, SysctlSyntax.anyInt().parse(b("1 x"), 0, ZERO).consumed(), "kernel: 2");
        assertEquals(3, SysctlSyntax.anyInt().parse(b("10\n"), 0, ZERO).consumed());
        long[] current = {4};
        SysctlSyntax.Parsed later = SysctlSyntax.anyInt().parse(b("5"), 1, current);
        assertEquals(1, later.consumed(), "kernel: a second write on the fd reports 1 byte");
        assertArrayEquals(new long[] {4}, later.values(), "and changes nothing");
        assertEquals(0, SysctlSyntax.anyInt().parse(b(""), 0, current).consumed());
    }

    @Test
    void minMaxAndUnsigned() {
        SysctlSyntax overcommit = SysctlSyntax.ints(0, 2);
        assertEquals(2, write(overcommit, "2"));
        assertEquals(0, write(overcommit, "-0"), "int handlers take -0");
        assertEquals(Errno.EINVAL, refused(overcommit, "3", ZERO));
        assertEquals(Errno.EINVAL, refused(overcommit, "-1", ZERO));
        SysctlSyntax watches = SysctlSyntax.nonNegative(0, SysctlSyntax.INT_MAX);
        assertEquals(524288, write(watches, "524288\n"));
        assertEquals(Errno.EINVAL, refused(watches, "-0", ZERO), "proc_doulongvec refuses any '-'");
        assertEquals(Errno.EINVAL, refused(watches, "2147483648", ZERO));
        assertEquals(
                Errno.EINVAL,
                refused(SysctlSyntax.ints(1, SysctlSyntax.INT_MAX), "0", ZERO),
                "maxkeys >= 1");
    }

    @Test
    void jiffiesAreBoundedByHz() {
        SysctlSyntax timeout = SysctlSyntax.jiffies(250);
        assertEquals(8589934, write(timeout, "8589934"), "INT_MAX / 250");
        assertEquals(Errno.EINVAL, refused(timeout, "8589935", ZERO));
        assertEquals(-8589934, write(timeout, "-8589934"));
    }

    @Test
    void flagStoresOneForAnyNonZero() {
        assertEquals(1, write(SysctlSyntax.flag(), "2"), "br_netfilter's call tables");
        assertEquals(0, write(SysctlSyntax.flag(), "0"));
    }

    @Test
    void rangeLikeIpLocalPortRange() {
        SysctlSyntax range = SysctlSyntax.range(1, 65535);
        long[] current = {32768, 60999};
        assertArrayEquals(
                new long[] {1024, 2048}, range.parse(b("1024 2048"), 0, current).values());
        assertArrayEquals(
                new long[] {1024, 65535}, range.parse(b("1024\t65535"), 0, current).values());
        assertArrayEquals(
                new long[] {3000, 60999},
                range.parse(b("3000"), 0, current).values(),
                "kernel: 3000 60999");
        SysctlSyntax.Parsed three = range.parse(b("2000 3000 4000"), 0, current);
        assertArrayEquals(new long[] {2000, 3000}, three.values());
        assertEquals(10, three.consumed(), "kernel: 10");
        assertEquals(Errno.EINVAL, refused(range, "5000 4000", current), "low above high");
        assertEquals(Errno.EINVAL, refused(range, "0 100", current));
        assertEquals(Errno.EINVAL, refused(range, "1024 65536", current));
        assertEquals(
                Errno.EINVAL,
                refused(range, "1024 x", current),
                "nothing of a refused write stays");
        assertArrayEquals(
                new long[] {32768, 60999}, current, "the current values are never touched");
    }

    @Test
    void moduleParameterLikeKstrtouint() {
        SysctlSyntax hashsize = SysctlSyntax.moduleUint(1, SysctlSyntax.INT_MAX / 8);
        assertEquals(65536, write(hashsize, "65536\n"));
        assertEquals(16, write(hashsize, "+0x10"));
        assertEquals(Errno.EINVAL, refused(hashsize, " 5", ZERO), "no leading blank");
        assertEquals(Errno.EINVAL, refused(hashsize, "5\n\n", ZERO), "one newline at most");
        assertEquals(Errno.EINVAL, refused(hashsize, "0", ZERO), "an empty table");
        assertEquals(Errno.ERANGE, refused(hashsize, "4294967296", ZERO));
        assertEquals(
                Errno.ENOMEM,
                refused(hashsize, "268435456", ZERO),
                "a table the kernel cannot index");
        long[] current = {16384};
        assertEquals(
                65536,
                hashsize.parse(b("65536"), 7, current).values()[0],
                "sysfs ignores the offset");
    }

    @Test
    void renderedAsTheKernelPrints() {
        assertEquals(
                "-1\n",
                new String(
                        SysctlSyntax.anyInt().render(new long[] {-1}), StandardCharsets.US_ASCII));
        assertEquals(
                "32768\t60999\n",
                new String(
                        SysctlSyntax.range(1, 65535).render(new long[] {32768, 60999}),
                        StandardCharsets.US_ASCII));
        assertArrayEquals(
                new long[] {32768, 60999},
                SysctlSyntax.range(1, 65535).parseShown("32768\t60999\n"));
        assertThrows(
                IllegalArgumentException.class, () -> SysctlSyntax.anyInt().parseShown("1 2\n"));
    }
}
