package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.host.HostTree;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Mounts;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Removing nestlet's host trees never deletes what a bind mount inside them points to. */
class HostTreeIT {
    @Test
    void removeTreeNeverDeletesThroughABindMountOfTheSameFilesystem() throws Exception {
        Root.require();
        try (TestDir dir = new TestDir("hosttree")) {
            Path precious = Files.createDirectories(dir.resolve("container-rootfs/bin"));
            Files.writeString(precious.resolve("busybox"), "must survive");
            Path tree = Files.createDirectories(dir.resolve("state/mounts/c1/rootfs"));
            Files.writeString(dir.resolve("state/mounts/c1/leftover"), "x");
            Cmd.of("mount", "--bind", dir.resolve("container-rootfs").toString(), tree.toString())
                    .run()
                    .ok();
            try {
                HostTree.removeTree(dir.resolve("state/mounts/c1"));
                assertFalse(Files.exists(dir.resolve("state/mounts/c1")), "the tree is gone");
                assertEquals(
                        "must survive",
                        Files.readString(precious.resolve("busybox")),
                        "the bind-mounted files are not");
                assertEquals(
                        List.of(), Mounts.mentioning(dir.resolve("state").toString()), "unmounted");
            } finally {
                Mounts.unmountBelow(dir.resolve("state"));
            }
            assertTrue(Files.exists(precious.resolve("busybox")));
        }
    }
}
