package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.Daemon;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 11's authorization holes, each against a real nestletd and real runc containers. */
class AuthorizationIT extends DaemonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private String[] pool;

    @Override
    protected String name() {
        return "authz";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        pool = SubIds.pool(testDir, 5_500_000, 2 * 65536);
        return pool;
    }

    /**
     * A symlink at .config.json.nestlet (to a file of root's) is replaced, never written through.
     */
    @Test
    void preparedConfigIsNeverWrittenThroughASymlink() throws Exception {
        String id = TestDir.unique("authz-link");
        Path bundle = dir.resolve(id);
        new Spec(Rootfs.busybox(bundle.resolve("rootfs")), "true").writeTo(bundle);
        Path victim = Files.writeString(dir.resolve(id + "-victim"), "precious\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(bundle.resolve(".config.json.nestlet"), victim);
        Container c = Container.viaShim(OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, id);
        try {
            c.create().ok();
            assertEquals(
                    "precious\n", Files.readString(victim), "the symlink's target is untouched");
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)));
            assertTrue(
                    Files.readString(bundle.resolve("config.json")).contains("io.nestlet.prepared"),
                    "config.json was prepared");
            assertTrue(
                    Files.isRegularFile(
                            bundle.resolve("config.json"),
                            java.nio.file.LinkOption.NOFOLLOW_LINKS));
            c.delete().ok();
        } finally {
            c.close();
        }
        daemon.awaitAllReleased();
    }

    /**
     * A poststop while the init runs releases nothing; the container is released once it is gone.
     */
    @Test
    void poststopOfALiveContainerReleasesNothing() throws Exception {
        String id = TestDir.unique("authz-live");
        Path bundle = dir.resolve(id);
        new Spec(Rootfs.busybox(bundle.resolve("rootfs")), "sleep", "300")
                .system()
                .nestletHooks(daemon.socket())
                .writeTo(bundle);
        Path data = daemon.stateDir().resolve("data").resolve(id);
        try (Container c = new Container(OciRuntime.RUNC, dir.resolve("rt-root"), bundle, id)) {
            c.startDetached();
            JsonNode r =
                    daemon.request(
                            "{\"v\":1,\"op\":\"hook\",\"stage\":\"poststop\",\"state\":{\"ociVersion\":"
                                    + "\"1.0.2\",\"id\":\""
                                    + id
                                    + "\",\"status\":\"stopped\",\"bundle\":\""
                                    + bundle
                                    + "\","
                                    + "\"annotations\":{\"io.nestlet.mode\":\"system\"}}}");
            assertTrue(r.path("ok").asBoolean(), r.toString());
            assertEquals("deferred", r.path("result").path("action").asText(), r.toString());
            JsonNode row = HookPathIT.find(daemon.ps(), id);
            assertNotNull(row, "still registered");
            assertTrue(Files.isDirectory(data), "its data dir stays while it runs");
            c.exec("touch", "/var/lib/docker/still-mine").ok();
            assertTrue(Files.exists(data.resolve("docker/still-mine")));
            c.kill();
            c.delete().ok();
        }
        daemon.awaitAllReleased();
    }

    /** The start-up warm-up never releases a real container, even one named "warmup". */
    @Test
    void warmUpNeverTouchesAContainerNamedWarmup() throws Exception {
        String id = "warmup";
        Path bundle = dir.resolve(TestDir.unique("authz-warmup"));
        new Spec(Rootfs.busybox(bundle.resolve("rootfs")), "sleep", "300")
                .system()
                .nestletHooks(daemon.socket())
                .cgroupsPath("/" + TestDir.unique("nestlet-it-warmup"))
                .writeTo(bundle);
        Path data = daemon.stateDir().resolve("data").resolve(id);
        try (Container c =
                new Container(
                        OciRuntime.RUNC, dir.resolve(TestDir.unique("rt-warmup")), bundle, id)) {
            c.startDetached();
            daemon.terminate();
            daemon = new Daemon(dir.path(), pool).start();
            // The warm-up runs once the socket serves: check after it.
            assertTrue(daemon.logShows("warm-up done", 30_000), daemon.log());
            JsonNode row = HookPathIT.find(daemon.ps(), id);
            assertNotNull(row, "the new nestletd's warm-up left it registered: " + daemon.log());
            assertTrue(row.path("alive").asBoolean());
            assertTrue(Files.isDirectory(data), "and its data dir in place");
            c.kill();
            c.delete().ok();
        }
        daemon.awaitAllReleased();
    }

    /**
     * --group: its members reach the socket (nestletd opens its own 0700 socket dir to the group
     * for search) and use the read-only ops, and are refused every op that changes state.
     */
    @Test
    void groupMembersGetReadOnlyAccess() throws Exception {
        int gid = 420_000 + (int) (ProcessHandle.current().pid() % 10_000);
        Path own = dir.resolve(TestDir.unique("authz-group"));
        Files.createDirectories(own);
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwx--x--x"));
        Path socket = own.resolve("run/nestlet.sock");
        try (Daemon d =
                new Daemon(own, socket, "--group", Integer.toString(gid), "--fd-store", "none")
                        .start()) {
            assertTrue(d.log().contains("root and group " + gid + " (read-only)"), d.log());
            assertEquals(
                    "rwx--x---",
                    PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(socket.getParent())));
            Cmd.Result ps =
                    asMember(
                            gid,
                            Dist.bin("nestletctl").toString(),
                            "--socket",
                            socket.toString(),
                            "ps",
                            "-o",
                            "json");
            assertEquals(0, ps.exit(), "a member may list: " + ps.all());
            assertEquals(0, JSON.readTree(ps.out()).size());
            Cmd.Result status =
                    asMember(
                            gid,
                            Dist.bin("nestletctl").toString(),
                            "--socket",
                            socket.toString(),
                            "status");
            assertEquals(0, status.exit(), status.all());

            String state =
                    "{\"ociVersion\":\"1.0.2\",\"id\":\"someone-else\",\"status\":\"stopped\",\"bundle\":\"/\","
                            + "\"annotations\":{\"io.nestlet.mode\":\"system\"}}";
            Cmd.Result hook =
                    Cmd.of(
                                    member(
                                            gid,
                                            Dist.bin("nestlet-hook").toString(),
                                            "--socket",
                                            socket.toString(),
                                            "poststop"))
                            .stdin(state)
                            .run();
            assertNotEquals(0, hook.exit(), "a member may not send hooks: " + hook.all());
            assertTrue(hook.all().contains("forbidden"), hook.all());
            Cmd.Result root =
                    Cmd.of(
                                    Dist.bin("nestlet-hook").toString(),
                                    "--socket",
                                    socket.toString(),
                                    "poststop")
                            .stdin(state)
                            .run();
            assertEquals(0, root.exit(), "root may: " + root.all());
            Cmd.Result stranger =
                    Cmd.of(
                                    "setpriv",
                                    "--reuid",
                                    "65534",
                                    "--regid",
                                    "65534",
                                    "--clear-groups",
                                    Dist.bin("nestletctl").toString(),
                                    "--socket",
                                    socket.toString(),
                                    "status")
                            .run();
            assertNotEquals(0, stranger.exit(), "anyone else is kept out: " + stranger.all());
        }
    }

    private static Cmd.Result asMember(int gid, String... command) {
        return Cmd.of(member(gid, command)).env(java.util.Map.of("HOME", "/tmp")).run();
    }

    private static List<String> member(int gid, String... command) {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "setpriv",
                                "--reuid",
                                "65534",
                                "--regid",
                                "65534",
                                "--groups",
                                Integer.toString(gid)));
        cmd.addAll(List.of(command));
        return cmd;
    }
}
