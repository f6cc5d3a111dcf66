package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.Daemon;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A container that lost its seccomp listener (nestletd killed with nothing keeping the fd) is named
 * by `nestletctl status` and `inspect`, and the new nestletd says so at start; with the keeper a
 * killed nestletd loses nothing and nothing is named.
 */
class ListenerLossIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void withoutAnFdStoreALostListenerIsNamed() throws Exception {
        assertLostAfterKill(true, "--fd-store", "none");
    }

    @Test
    void withTheKeeperNoListenerIsLost() throws Exception {
        assertLostAfterKill(false);
    }

    private static void assertLostAfterKill(boolean lost, String... storeArgs) throws Exception {
        Root.require();
        try (TestDir dir = new TestDir("listener-loss")) {
            List<String> args = new ArrayList<>(List.of(SubIds.pool(dir.path(), 4_000_000, 65536)));
            args.addAll(List.of(storeArgs));
            String[] daemonArgs = args.toArray(String[]::new);
            Daemon daemon = new Daemon(dir.path(), daemonArgs).start();
            String id = TestDir.unique("lost");
            Path bundle = dir.resolve(id);
            Path rootfs = Rootfs.busybox(bundle.resolve("rootfs"));
            Files.createDirectories(rootfs.resolve("mnt"));
            // The init itself mounts: a `runc exec`'d process loads a filter of its own, with a
            // listener of its own, which a new nestletd serves.
            new Spec(rootfs, "sh", "-c", TRY_MOUNT).writeTo(bundle);
            try (Container c =
                    Container.viaShim(OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, id)) {
                c.startDetached();
                Path result = Path.of("/proc/" + c.pid() + "/root/tmp/mount");
                assertEquals("ok", awaitMount(result, "ok"), "the init's mounts are served");
                assertEquals(1, inspect(daemon, id).path("seccompListeners").asInt());
                // Past the time a runtime may take to send its listener: a container younger
                // than that is not judged.
                Thread.sleep(6_000);
                assertEquals(List.of(), lostIn(daemon), "served: not lost");

                daemon.kill();
                daemon = new Daemon(dir.path(), daemonArgs).start();
                JsonNode after = inspect(daemon, id);
                String mount = awaitMount(result, lost ? "failed" : "ok");
                if (lost) {
                    assertEquals(List.of(id), lostIn(daemon));
                    assertTrue(after.path("seccompListenerLost").asBoolean(), after.toString());
                    assertEquals(0, after.path("seccompListeners").asInt());
                    assertTrue(
                            daemon.ctl("status").ok().out().contains("LOST"),
                            "status says so in its text too");
                    assertTrue(
                            daemon.log().contains("no listener fd is kept for running container"),
                            daemon.log());
                    assertTrue(
                            mount.contains("Function not implemented"),
                            "what it means inside: " + mount);
                } else {
                    assertEquals(List.of(), lostIn(daemon));
                    assertFalse(after.path("seccompListenerLost").asBoolean(), after.toString());
                    assertEquals(1, after.path("seccompListeners").asInt());
                    assertEquals("ok", mount);
                }
                c.kill();
                c.delete().ok();
                daemon.awaitAllReleased();
            } finally {
                daemon.close();
            }
        }
    }

    /**
     * Mounts and unmounts a tmpfs every 0.2 s (both trapped) and writes how the last try went:
     * "ok", or "failed" and busybox's message.
     */
    private static final String TRY_MOUNT =
            "while :; do if mount -t tmpfs t /mnt 2>/tmp/err && umount /mnt 2>>/tmp/err;"
                    + " then echo ok >/tmp/m; else { echo failed; cat /tmp/err; } >/tmp/m; fi;"
                    + " mv /tmp/m /tmp/mount; sleep 0.2; done";

    /** Waits (up to 10 s) for the init's last try to start with {@code want}; returns the last. */
    private static String awaitMount(Path result, String want) throws Exception {
        String last = "";
        for (int i = 0; i < 100 && !last.startsWith(want); i++) {
            Thread.sleep(100);
            last = Files.exists(result) ? Files.readString(result).trim() : "";
        }
        return last;
    }

    private static JsonNode inspect(Daemon daemon, String id) throws Exception {
        return JSON.readTree(daemon.ctl("inspect", id, "-o", "json").ok().out());
    }

    private static List<String> lostIn(Daemon daemon) throws Exception {
        JsonNode status = JSON.readTree(daemon.ctl("status", "-o", "json").ok().out());
        return JSON.convertValue(
                status.path("seccompListenersLost"),
                JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }
}
