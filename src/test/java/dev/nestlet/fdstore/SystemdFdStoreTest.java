package dev.nestlet.fdstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.ReceivedMessage;
import dev.nestlet.sys.SocketCalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd fd store without systemd: the datagrams nestletd sends to NOTIFY_SOCKET (received
 * here on a socket of the test's own, with the fd they carry) and the LISTEN_* environment systemd
 * passes the fds back with.
 */
class SystemdFdStoreTest {

    @Test
    void listenFdsAreNamedInOrderAndOnlyForThisProcess() {
        Map<String, String> env =
                Map.of(
                        "LISTEN_PID",
                        "42",
                        "LISTEN_FDS",
                        "3",
                        "LISTEN_FDNAMES",
                        "fuse/0:seccomp/7/1/c1:fuse/1");
        assertEquals(
                Map.of("fuse/0", 3, "seccomp/7/1/c1", 4, "fuse/1", 5),
                SystemdFdStore.passed(env, 42));
        assertEquals(
                List.of("fuse/0", "seccomp/7/1/c1", "fuse/1"),
                List.copyOf(SystemdFdStore.passed(env, 42).keySet()),
                "in fd order");
        assertTrue(SystemdFdStore.passed(env, 43).isEmpty(), "another process's fds are not ours");
        assertTrue(
                SystemdFdStore.passed(Map.of("LISTEN_PID", "42"), 42).isEmpty(), "no LISTEN_FDS");
        assertEquals(
                Map.of("unknown", 3),
                SystemdFdStore.passed(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1"), 42),
                "unnamed fds");
        Map<String, Integer> dup =
                SystemdFdStore.passed(
                        Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "a:a"), 42);
        assertEquals(
                Map.of("a", 3, "a#1", 4),
                dup,
                "a second fd of one name is told apart (and later closed)");
    }

    @Test
    void storeAndRemoveAreNotifyDatagramsWithTheFd(@TempDir Path dir) throws Exception {
        Path notify = dir.resolve("notify");
        try (Fd server = SocketCalls.bindDatagram(notify.toString());
                Fd file =
                        FileCalls.open(
                                Files.writeString(dir.resolve("f"), "kept").toString(),
                                FileCalls.O_RDONLY,
                                0)) {
            SystemdFdStore store =
                    new SystemdFdStore(Map.of("NOTIFY_SOCKET", notify.toString()), 1);
            assertTrue(store.keeps());
            store.put("seccomp/7/1/c1", file);
            ReceivedMessage m = SocketCalls.receiveWithFds(server, 512, 2);
            assertEquals(
                    "FDSTORE=1\nFDNAME=seccomp/7/1/c1\n",
                    new String(m.data(), StandardCharsets.US_ASCII));
            assertEquals(1, m.fds().size(), "the fd travels with it");
            try (Fd copy = m.fds().get(0)) {
                assertEquals(
                        FileCalls.fstat(file).ino(), FileCalls.fstat(copy).ino(), "the same file");
            }
            store.remove("seccomp/7/1/c1");
            ReceivedMessage r = SocketCalls.receiveWithFds(server, 512, 2);
            assertEquals(
                    "FDSTOREREMOVE=1\nFDNAME=seccomp/7/1/c1\n",
                    new String(r.data(), StandardCharsets.US_ASCII));
            assertTrue(r.fds().isEmpty());
            assertThrows(IllegalArgumentException.class, () -> store.put("has:colon", file));
            store.putThroughHangUp("seccomp/conn/9", file);
            ReceivedMessage h = SocketCalls.receiveWithFds(server, 512, 2);
            assertEquals(
                    "FDSTORE=1\nFDNAME=seccomp/conn/9\nFDPOLL=0\n",
                    new String(h.data(), StandardCharsets.US_ASCII),
                    "a runtime's connection, closed by its peer, must not be dropped by systemd");
            assertEquals(1, h.fds().size());
            h.fds().get(0).close();
        }
    }

    @Test
    void namesFollowSystemdsRules() {
        assertTrue(FdStore.validName("seccomp/123/456/my-container.1"));
        assertFalse(FdStore.validName(""));
        assertFalse(FdStore.validName("a:b"));
        assertFalse(FdStore.validName("a b"));
        assertFalse(FdStore.validName("x".repeat(256)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new SystemdFdStore(Map.of(), 1),
                "not under systemd");
        assertFalse(SystemdFdStore.available(Map.of("NOTIFY_SOCKET", "")));
    }
}
