package dev.nestlet.shift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one lowerdir option a kernel without lowerdir+ (before 6.8) gets, and overlay's escapes. */
class LowerdirOptionTest {
    @Test
    void layersAreJoinedWithColonsAndTheirColonsAndBackslashesEscaped() {
        assertEquals(
                "/s/lower/0:/s/lower/1:/s/lower/2",
                RootfsShifter.lowerdirOption(
                        List.of(
                                Path.of("/s/lower/0"),
                                Path.of("/s/lower/1"),
                                Path.of("/s/lower/2"))));
        // Each hostile character in each of several layers: ':' and '\' escaped, ',' as it is
        // (fsconfig passes one value; kernels before 6.5 refuse a comma whatever the escape).
        assertEquals(
                "/a\\:b/0:/c\\\\d/1:/e,f/2:/g\\\\\\:h,\\\\/3",
                RootfsShifter.lowerdirOption(
                        List.of(
                                Path.of("/a:b/0"),
                                Path.of("/c\\d/1"),
                                Path.of("/e,f/2"),
                                Path.of("/g\\:h,\\/3"))));
    }

    @Test
    void upperAndWorkDirsAreEscapedAsTheKernelUnescapesThem() {
        assertEquals(
                "/st\\\\ate\\:1,x/upper/diff",
                RootfsShifter.escaped(Path.of("/st\\ate:1,x/upper/diff")));
        assertEquals(
                "/var/lib/nestlet/mounts/c/upper/work",
                RootfsShifter.escaped(Path.of("/var/lib/nestlet/mounts/c/upper/work")));
    }

    @Test
    void layerNamesRelativeToTheirDirFitFsconfigsValueUpTo88Layers() {
        List<Path> names = new ArrayList<>();
        for (int i = 0; i < 89; i++) {
            names.add(Path.of(Integer.toString(i)));
        }
        // fsconfig(FSCONFIG_SET_STRING) copies at most 255 bytes of a value (strndup_user(..,
        // 256)).
        assertTrue(RootfsShifter.lowerdirOption(names.subList(0, 88)).length() <= 255);
        assertTrue(RootfsShifter.lowerdirOption(names).length() > 255, "the 89th does not fit");
        assertEquals("0:1:2", RootfsShifter.lowerdirOption(names.subList(0, 3)));
    }
}
