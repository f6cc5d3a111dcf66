package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.Daemon;
import dev.nestlet.it.support.Mounts;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * nestletd killed with SIGKILL and started again: running containers keep working, nothing leaks.
 */
class RestartIT {

    @Test
    void runningContainerSurvivesACrashAndIsReleasedByTheNextDaemon() throws Exception {
        Root.require();
        try (TestDir dir = new TestDir("restart")) {
            Daemon first = new Daemon(dir.path()).start();
            String id = TestDir.unique("restart");
            Path bundle = systemBundle(dir, id, first);
            Path data = first.stateDir().resolve("data").resolve(id);
            try (Container c = new Container(OciRuntime.RUNC, dir.resolve("rt-root"), bundle, id)) {
                c.startDetached();
                first.kill();
                c.exec("touch", "/var/lib/docker/while-daemon-down").ok();

                try (Daemon second = new Daemon(dir.path()).start()) {
                    JsonNode row = HookPathIT.find(second.ps(), id);
                    assertNotNull(row, "the restarted daemon knows " + id);
                    assertTrue(row.path("alive").asBoolean(), "and sees its init alive");
                    c.exec("touch", "/var/lib/docker/after-restart").ok();
                    assertTrue(Files.exists(data.resolve("docker/after-restart")));
                    c.kill();
                    c.delete().ok();
                    assertEquals(0, second.ps().size(), "poststop reached the new daemon");
                }
            } finally {
                first.close();
            }
            assertFalse(Files.exists(data), "data dir removed");
            assertEquals(List.of(), Mounts.mentioning(data.toString()));
        }
    }

    @Test
    void containerThatDiedWhileTheDaemonWasDownIsReleasedAtStart() throws Exception {
        Root.require();
        try (TestDir dir = new TestDir("restart-dead")) {
            Daemon first = new Daemon(dir.path()).start();
            String id = TestDir.unique("orphan");
            Path bundle = systemBundle(dir, id, first);
            Path data = first.stateDir().resolve("data").resolve(id);
            try (Container c = new Container(OciRuntime.RUNC, dir.resolve("rt-root"), bundle, id)) {
                c.startDetached();
                assertTrue(Files.isDirectory(data));
                first.kill();
                c.kill();
                c.delete(); // its poststop cannot reach the dead daemon
                assertTrue(Files.isDirectory(data), "still there: nobody released it");
                try (Daemon second = new Daemon(dir.path()).start()) {
                    assertEquals(0, second.ps().size(), "the orphan was released at start-up");
                    assertFalse(Files.exists(data), "its data dir is gone");
                    assertTrue(second.log().contains("gone without poststop"), second.log());
                }
            } finally {
                first.close();
            }
        }
    }

    @Test
    void orphanDataDirWithoutRecordIsRemoved() throws Exception {
        Root.require();
        try (TestDir dir = new TestDir("restart-orphan")) {
            Path stray = dir.resolve("state/data/never-registered/docker");
            Files.createDirectories(stray);
            Files.writeString(
                    stray.resolve("file"), "left by a crash before the record was written");
            try (Daemon d = new Daemon(dir.path()).start()) {
                assertFalse(Files.exists(stray.getParent()), "removed at start-up");
            }
        }
    }

    private static Path systemBundle(TestDir dir, String id, Daemon daemon) throws Exception {
        Path bundle = dir.resolve(id);
        new Spec(Rootfs.busybox(bundle.resolve("rootfs")), "sleep", "300")
                .system()
                .nestletHooks(daemon.socket())
                .writeTo(bundle);
        return bundle;
    }
}
