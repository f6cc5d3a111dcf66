package dev.nestlet.shift;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverlayLayersTest {
    @Test
    void dockerRelativeLowerdirsResolveAgainstItsOverlay2Dir() {
        OverlayLayers l =
                OverlayLayers.parse(
                        "rw,lowerdir=l/AAA:l/BBB,upperdir=/var/lib/docker/overlay2/x/diff,"
                                + "workdir=/var/lib/docker/overlay2/x/work,index=off,nfs_export=off");
        assertEquals(
                List.of(
                        Path.of("/var/lib/docker/overlay2/l/AAA"),
                        Path.of("/var/lib/docker/overlay2/l/BBB")),
                l.lower());
        assertEquals(Path.of("/var/lib/docker/overlay2/x/diff"), l.upper());
        assertEquals(Map.of("index", "off", "nfs_export", "off"), l.options());
    }

    @Test
    void escapedSeparatorsStayInsidePaths() {
        OverlayLayers l =
                OverlayLayers.parse(
                        "rw,lowerdir=/a\\:b:/c\\054d,upperdir=/u/fs,workdir=/u/work,userxattr");
        assertEquals(List.of(Path.of("/a:b"), Path.of("/c,d")), l.lower());
        assertEquals(true, l.options().containsKey("userxattr"));
    }
}
