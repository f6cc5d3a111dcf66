package dev.nestlet.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.TestDir;
import dev.nestlet.proc.MountInfo;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 11: the agent's two ways of finding a caller's mounts ({@link MountLookup}) give the same
 * answers, on a process in a mount namespace of its own with a tree of mounts (nested, a bind, a
 * read-only one, one named with bytes that are not UTF-8, a space and a newline). The STATMOUNT
 * side needs Linux 6.18; the MOUNTINFO side is the fallback of older kernels, which the ITs of the
 * agent no longer reach on this one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MountLookupIT {
    // the odd mount point is not named by a path here (a Java string cannot hold its bytes): it is
    // compared as one of the mounts beneath "/" and "t"
    private static final List<String> PATHS =
            List.of("/", "/proc", "t", "t/a", "t/a/b", "t/c", "t/ro");

    private TestDir dir;
    private Process holder;
    private Fd hostProc;

    @BeforeAll
    void startHolder() throws Exception {
        Root.require();
        dir = new TestDir("mount-lookup");
        String d = dir.path().toString();
        String script =
                "cd "
                        + d
                        + " && mkdir t && mount -t tmpfs t t && mkdir t/a t/c t/ro"
                        + " && mount -t tmpfs a t/a && mkdir t/a/b && mount -t tmpfs b t/a/b"
                        + " && mount --bind t/a t/c && mount -t tmpfs -o ro,nosuid r t/ro"
                        + " && n=$(printf 't/odd\\377\\376 \\nx') && mkdir \"$n\""
                        + " && mount -t tmpfs odd \"$n\" && echo ready && exec sleep 120";
        holder =
                new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c", script)
                        .redirectErrorStream(true)
                        .start();
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), "the holder could not build its mounts");
        hostProc = FileCalls.open("/proc", FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0);
    }

    @AfterAll
    void stopHolder() throws Exception {
        if (holder != null) {
            holder.destroy();
            holder.waitFor();
        }
        if (hostProc != null) {
            hostProc.close();
        }
        if (dir != null) {
            dir.close();
        }
    }

    private Caller caller(MountLookup lookup) throws Exception {
        return Caller.of((int) holder.pid(), hostProc, lookup).open();
    }

    private String absolute(String path) {
        return path.startsWith("/") ? path : dir.path().resolve(path).toString();
    }

    /** A line without its superblock options, which statmount is not asked for. */
    private static MountInfo comparable(MountInfo m) {
        return new MountInfo(
                m.id(),
                m.parent(),
                m.root(),
                m.mountPoint(),
                m.options(),
                m.fsType(),
                m.source(),
                "");
    }

    /** One comparison of the two lookups on the mount of {@code path}, opened as {@code fd}. */
    private interface PathCheck {
        void check(Caller fast, Caller table, String path, Fd fd) throws Exception;
    }

    private void eachPath(PathCheck check) throws Exception {
        try (Caller fast = caller(MountLookup.STATMOUNT);
                Caller table = caller(MountLookup.MOUNTINFO)) {
            for (String p : PATHS) {
                try (Fd fd = fast.resolve(FileCalls.AT_FDCWD, absolute(p), true)) {
                    check.check(fast, table, p, fd);
                }
            }
        }
    }

    @Test
    void theMountOfAPathIsTheSameLine() throws Exception {
        eachPath(
                (fast, table, p, fd) -> {
                    MountInfo expected = table.mountOf(fd);
                    assertNotNull(expected, p);
                    assertEquals(comparable(expected), fast.mountOf(fd), p);
                });
    }

    @Test
    void beneathIsEveryDescendantInTheTable() throws Exception {
        eachPath(
                (fast, table, p, fd) -> {
                    Set<MountInfo> expected = new java.util.HashSet<>();
                    descendants(table.beneath(fd), table.mountOf(fd).id())
                            .forEach(m -> expected.add(comparable(m)));
                    Set<MountInfo> got = new java.util.HashSet<>(fast.beneath(fd));
                    Set<MountInfo> missing = new java.util.HashSet<>(expected);
                    missing.removeAll(got);
                    Set<MountInfo> extra = new java.util.HashSet<>(got);
                    extra.removeAll(expected);
                    assertEquals(Set.of(), missing, p + ": missing; instead: " + extra);
                    assertEquals(Set.of(), extra, p + ": extra");
                    if (p.equals("t")) {
                        assertTrue(
                                got.stream()
                                        .anyMatch(
                                                m ->
                                                        m.mountPoint()
                                                                .endsWith(
                                                                        "/t/odd\uFFFD\uFFFD \nx")),
                                "the odd mount point, raw bytes decoded as mountinfo's are");
                    }
                    if (p.equals("t/a/b")) {
                        assertTrue(got.isEmpty(), "a leaf has nothing beneath it");
                    }
                });
    }

    @Test
    void protectedMountsAreFoundTheSameWay() throws Exception {
        String b = absolute("t/a/b");
        ProtectedMounts p;
        try (Caller table = caller(MountLookup.MOUNTINFO)) {
            p = ProtectedMounts.capture(table.mounts().all(), List.of(b));
        }
        eachPath(
                (fast, table, path, fd) -> {
                    int id = table.mountOf(fd).id();
                    for (boolean anyDepth : new boolean[] {false, true}) {
                        assertEquals(
                                p.beneath(table.beneath(fd), id, anyDepth),
                                p.beneath(fast.beneath(fd), id, anyDepth),
                                path + " anyDepth " + anyDepth);
                    }
                    assertEquals(p.covers(table.mountOf(fd)), p.covers(fast.mountOf(fd)), path);
                    if (path.equals("t/a")) {
                        assertTrue(p.beneath(fast.beneath(fd), id, false), "b sits on a");
                    }
                    if (path.equals("t/a/b")) {
                        assertTrue(p.covers(fast.mountOf(fd)), "b is protected");
                    }
                });
    }

    private static List<MountInfo> descendants(List<MountInfo> all, int id) {
        Map<Integer, MountInfo> byId = new HashMap<>();
        all.forEach(m -> byId.put(m.id(), m));
        return all.stream()
                .filter(
                        m -> {
                            MountInfo up = m;
                            for (int hops = 0; up != null && hops < all.size(); hops++) {
                                if (up.parent() == id && up.id() != id) {
                                    return true;
                                }
                                up = up.parent() == up.id() ? null : byId.get(up.parent());
                            }
                            return false;
                        })
                .toList();
    }
}
