package dev.nestlet.vfs.sysctl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.sys.Errno;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Writes to every sysctl of the catalog, generated: any bytes either become values the sysctl may
 * hold or are refused with the kernel's errno (EINVAL, ERANGE; ENOMEM for a module parameter above
 * its table's limit), nothing else; what is shown reads back as the same values.
 */
class SysctlSyntaxPropertyTest {
    private static final List<SysctlSpec> ALL = SysctlCatalog.all(250);

    @Provide
    Arbitrary<SysctlSpec> specs() {
        return Arbitraries.of(ALL);
    }

    /** Bytes close to what is written to sysctls (numbers, signs, blanks, 0x) and noise. */
    @Provide
    Arbitrary<byte[]> writes() {
        Arbitrary<String> token =
                Arbitraries.oneOf(
                        Arbitraries.longs().map(v -> Long.toString(v)),
                        Arbitraries.longs()
                                .between(0, 1 << 20)
                                .map(v -> "0x" + Long.toHexString(v)),
                        Arbitraries.longs()
                                .between(0, 1 << 20)
                                .map(v -> "0" + Long.toOctalString(v)),
                        Arbitraries.of(" ", "\t", "\n", "-", "+", "-0", "99999999999999999999"),
                        Arbitraries.strings().ofMaxLength(6));
        Arbitrary<byte[]> text =
                token.list()
                        .ofMaxSize(6)
                        .map(ts -> String.join("", ts).getBytes(StandardCharsets.UTF_8));
        return Arbitraries.oneOf(text, Arbitraries.bytes().array(byte[].class).ofMaxSize(64));
    }

    @Property
    void anyWriteIsAValueInRangeOrTheKernelsError(
            @ForAll("specs") SysctlSpec spec,
            @ForAll("writes") byte[] data,
            @ForAll boolean atOffset) {
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
