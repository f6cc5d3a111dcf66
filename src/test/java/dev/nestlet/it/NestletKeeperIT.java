package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.fdstore.KeeperFdStore;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.Processes;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.TestDir;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** nestlet-keeper, the real static binary, through the client nestletd uses. */
class NestletKeeperIT {

    @Test
    void keepsFdsForTheNextClientReplacesAndForgetsThem() throws Exception {
        Root.require();
        try (TestDir dir = new TestDir("keeper")) {
            Path state = dir.resolve("state");
            KeeperFdStore first = KeeperFdStore.open(state, Dist.bin("nestlet-keeper"));
            ProcessHandle keeper = ProcessHandle.of(first.pid()).orElseThrow();
            try {
                assertEquals(
                        Integer.toString(first.pid()),
                        Files.readString(state.resolve(KeeperFdStore.PIDFILE)).trim());
                Path a = Files.writeString(dir.resolve("a"), "a");
                Path b = Files.writeString(dir.resolve("b"), "b");
                try (Fd fa = FileCalls.open(a.toString(), FileCalls.O_RDONLY, 0);
                        Fd fb = FileCalls.open(b.toString(), FileCalls.O_RDONLY, 0)) {
                    first.put("seccomp/1/2/c1", fa);
                    first.put("fuse/0", fa);
                    first.put("fuse/0", fb); // replaces: the keeper closes its copy of a
                    assertThrows(IllegalArgumentException.class, () -> first.put("bad:name", fa));
                    assertEquals(2, first.held());
                }
                first.close(); // nestletd goes away; the keeper and its fds stay

                KeeperFdStore second = KeeperFdStore.open(state, Dist.bin("nestlet-keeper"));
                try {
                    assertEquals(first.pid(), second.pid(), "the same keeper is found again");
                    Map<String, Fd> fds = second.takeAll();
                    assertEquals(
                            List.of("fuse/0", "seccomp/1/2/c1"),
                            fds.keySet().stream().sorted().toList());
                    assertEquals(
                            FileCalls.lstat(b.toString()).ino(),
                            FileCalls.fstat(fds.get("fuse/0")).ino(),
                            "fuse/0 is the replacement");
                    assertEquals(
                            FileCalls.lstat(a.toString()).ino(),
                            FileCalls.fstat(fds.get("seccomp/1/2/c1")).ino());
                    fds.values().forEach(Fd::close);
                    second.remove("seccomp/1/2/c1");
                    Map<String, Fd> left = second.takeAll();
                    assertEquals(
                            List.of("fuse/0"), List.copyOf(left.keySet()), "removed ones are gone");
                    left.values().forEach(Fd::close);
                } finally {
                    second.close();
                }
                assertTrue(keeper.isAlive());
            } finally {
                Processes.stop(List.of(keeper), 2_000);
            }
            // gone, or a zombie until the JVM (its parent here) reaps it
            assertTrue(Processes.gone(keeper), "stopped by its pid");
        }
    }
}
