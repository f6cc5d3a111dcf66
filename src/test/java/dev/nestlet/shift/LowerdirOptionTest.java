package dev.nestlet.shift;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one lowerdir option a kernel without lowerdir+ (before 6.8) gets. */
class LowerdirOptionTest {
    @Test
    void layersAreJoinedWithColonsAndTheirColonsAndBackslashesEscaped() {
        assertEquals(
                "/s/lower/0:/s/lower/1",
                RootfsShifter.lowerdirOption(
                        List.of(Path.of("/s/lower/0"), Path.of("/s/lower/1"))));
        assertEquals(
                "/a\\:b/0:/c\\\\d",
                RootfsShifter.lowerdirOption(List.of(Path.of("/a:b/0"), Path.of("/c\\d"))));
    }
}
