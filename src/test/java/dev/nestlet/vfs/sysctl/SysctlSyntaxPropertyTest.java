package dev.nestlet.vfs.sysctl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.props.Cases;
import dev.nestlet.props.Gen;
import dev.nestlet.sys.Errno;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Writes to every sysctl of the catalog, generated: any bytes either become values the sysctl may
 * hold or are refused with the kernel's errno (EINVAL, ERANGE; ENOMEM for a module parameter above
 * its table's limit), nothing else; what is shown reads back as the same values.
 */
class SysctlSyntaxPropertyTest {
    private static final List<SysctlSpec> ALL = SysctlCatalog.all(250);

    private static final List<String> ODD_TOKENS =
            List.of(" ", "\t", "\n", "-", "+", "-0", "99999999999999999999");

    /** One write: to which sysctl, what, and whether at offset 1 rather than 0. */
    record Write(SysctlSpec spec, byte[] data, boolean atOffset) {
        @Override
        public String toString() {
            return spec.name()
                    + " <- "
                    + Arrays.toString(data)
                    + " \""
                    + new String(data, StandardCharsets.UTF_8)
                    + "\" at "
                    + (atOffset ? 1 : 0);
        }
    }

    static Write write(SplittableRandom r) {
        return new Write(Gen.pick(r, ALL), writeBytes(r), r.nextBoolean());
    }

    /** Bytes close to what is written to sysctls (numbers, signs, blanks, 0x) and noise. */
    private static byte[] writeBytes(SplittableRandom r) {
        if (r.nextBoolean()) {
            return Gen.bytes(r, 64);
        }
        StringBuilder text = new StringBuilder();
        for (int n = r.nextInt(7); n > 0; n--) {
            text.append(
                    switch (r.nextInt(5)) {
                        case 0 -> Long.toString(Gen.anyLong(r));
                        case 1 -> "0x" + Long.toHexString(Gen.between(r, 0L, 1L << 20));
                        case 2 -> "0" + Long.toOctalString(Gen.between(r, 0L, 1L << 20));
                        case 3 -> Gen.pick(r, ODD_TOKENS);
                        default -> Gen.string(r, 6);
                    });
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anyWriteIsAValueInRangeOrTheKernelsError() {
        Cases.forAll(SysctlSyntaxPropertyTest::write, SysctlSyntaxPropertyTest::holds);
    }

    private static void holds(Write w) {
        SysctlSpec spec = w.spec();
        byte[] data = w.data();
        boolean atOffset = w.atOffset();
        SysctlSyntax s = spec.syntax();
        long[] current = new long[s.count()];
        for (int i = 0; i < current.length; i++) {
            current[i] = Math.max(s.min(), Math.min(s.max(), 0));
        }
        SysctlSyntax.Parsed p;
        try {
            p = s.parse(data, atOffset ? 1 : 0, current);
        } catch (SysctlInputException e) {
            assertTrue(
                    e.errno() == Errno.EINVAL
                            || e.errno() == Errno.ERANGE
                            || (s.moduleParam() && e.errno() == Errno.ENOMEM),
                    spec.name() + ": errno " + e.errno());
            return;
        }
        assertEquals(s.count(), p.values().length, spec.name());
        assertTrue(p.consumed() >= 0 && p.consumed() <= data.length, spec.name());
        for (long v : p.values()) {
            assertTrue(
                    s.unsigned()
                            ? Long.compareUnsigned(v, s.min()) >= 0
                                    && Long.compareUnsigned(v, s.max()) <= 0
                            : v >= s.min() && v <= s.max(),
                    spec.name() + ": " + v + " outside " + s.min() + ".." + s.max());
        }
        byte[] shown = s.render(p.values());
        assertArrayEquals(
                p.values(),
                s.parseShown(new String(shown, StandardCharsets.US_ASCII)),
                spec.name());
        assertArrayEquals(p.values(), s.parse(shown, 0, current).values(), spec.name());
    }
}
