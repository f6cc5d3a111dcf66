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
import java.util.TreeSet;
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

    @Test
    void theMountOfAPathIsTheSameLine() throws Exception {
        try (Caller fast = caller(MountLookup.STATMOUNT);
                Caller table = caller(MountLookup.MOUNTINFO)) {
            for (String p : PATHS) {
                try (Fd fd = fast.resolve(FileCalls.AT_FDCWD, absolute(p), true)) {
                    MountInfo expected = table.mountOf(fd);
                    assertNotNull(expected, p);
                    assertEquals(comparable(expected), fast.mountOf(fd), p);
                }
            }
        }
    }

    @Test
    void beneathIsEveryDescendantInTheTable() throws Exception {
        try (Caller fast = caller(MountLookup.STATMOUNT);
                Caller table = caller(MountLookup.MOUNTINFO)) {
            for (String p : PATHS) {
                try (Fd fd = fast.resolve(FileCalls.AT_FDCWD, absolute(p), true)) {
                    List<MountInfo> all = table.beneath(fd);
                    if (p.equals("t")) {
                        assertTrue(
                                fast.beneath(fd).stream()
                                        .anyMatch(
                                                m ->
                                                        m.mountPoint()
                                                                .endsWith(
                                                                        "/t/odd\uFFFD\uFFFD \nx")),
                                "the odd mount point, raw bytes decoded as mountinfo's are");
                    }
                    int id = table.mountOf(fd).id();
                    Set<MountInfo> expected = new TreeSet<>(MountLookupIT::byId);
                    descendants(all, id).forEach(m -> expected.add(comparable(m)));
                    Set<MountInfo> got = new TreeSet<>(MountLookupIT::byId);
                    got.addAll(fast.beneath(fd));
                    Set<MountInfo> missing = new java.util.HashSet<>(expected);
                    missing.removeAll(got);
                    Set<MountInfo> extra = new java.util.HashSet<>(got);
                    extra.removeAll(expected);
                    assertEquals(Set.of(), missing, p + ": missing; instead: " + extra);
                    assertEquals(Set.of(), extra, p + ": extra");
                }
            }
            try (Fd fd = fast.resolve(FileCalls.AT_FDCWD, absolute("t/a/b"), true)) {
                assertTrue(fast.beneath(fd).isEmpty(), "a leaf has nothing beneath it");
            }
        }
    }

    @Test
    void protectedMountsAreFoundTheSameWay() throws Exception {
        try (Caller fast = caller(MountLookup.STATMOUNT);
                Caller table = caller(MountLookup.MOUNTINFO)) {
            String b = absolute("t/a/b");
            ProtectedMounts p = ProtectedMounts.capture(table.mounts().all(), List.of(b));
            for (String path : PATHS) {
                try (Fd fd = fast.resolve(FileCalls.AT_FDCWD, absolute(path), true)) {
                    int id = table.mountOf(fd).id();
                    for (boolean anyDepth : new boolean[] {false, true}) {
                        assertEquals(
                                p.beneath(table.beneath(fd), id, anyDepth),
                                p.beneath(fast.beneath(fd), id, anyDepth),
                                path + " anyDepth " + anyDepth);
                    }
                    assertEquals(p.covers(table.mountOf(fd)), p.covers(fast.mountOf(fd)), path);
                }
            }
            try (Fd fd = fast.resolve(FileCalls.AT_FDCWD, absolute("t/a"), true)) {
                assertTrue(p.beneath(fast.beneath(fd), fast.mountOf(fd).id(), false));
            }
            try (Fd fd = fast.resolve(FileCalls.AT_FDCWD, b, true)) {
                assertTrue(p.covers(fast.mountOf(fd)));
            }
        }
    }

    private static int byId(MountInfo a, MountInfo b) {
        return Integer.compare(a.id(), b.id());
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
