package dev.nestlet.vfs.sysctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A write takes effect only once it is saved. */
class ContainerSysctlsTest {
    private static final SysctlSpec PANIC = SysctlCatalog.all(250).get(0);

    @Test
    void aWriteThatCannotBeSavedChangesNothing() {
        ContainerSysctls s =
                new ContainerSysctls(
                        0,
                        0,
                        Map.of("kernel.panic", new long[] {1}),
                        (spec, v, all) -> {
                            throw new UncheckedIOException(new java.io.IOException("disk full"));
                        });
        assertEquals("kernel.panic", PANIC.name());
        assertThrows(
                UncheckedIOException.class,
                () -> s.write(PANIC, 0, "10".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("1\n", new String(s.render(PANIC), StandardCharsets.US_ASCII));
    }
}
