package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.fault.CrashPoint;
import dev.nestlet.it.support.Cleanup;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.Daemon;
import dev.nestlet.it.support.Mounts;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Processes;
import dev.nestlet.it.support.Quiet;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 11: nestletd halted (as SIGKILL would) at each {@link CrashPoint} in turn, one case per
 * point. A container R started first keeps working across every crash; a container C is started (or
 * stopped, or left to the reconciler) so that nestletd dies at the point; after a restart without
 * the point, nothing of C is left once the engine removed it (or C keeps working if it came up), no
 * range is held twice, and a fresh container D starts and works.
 */
@Quiet
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultInjectionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MEMORY = 256L << 20;
    private static final String MEMTOTAL = "MemTotal:         262144 kB";

    /** What the shell runs to prove a system container works: its own meminfo, a nested mount. */
    private static final String WORKS =
            "grep MemTotal /proc/meminfo && mount -t tmpfs t /mnt && umount /mnt && echo works";

    /**
     * R's and C's init: WORKS in a loop, each round's number and outcome in /tmp/out. Checked
     * there, not by an exec: an exec'd process brings a seccomp listener of its own, the init's
     * descendants use the one handed over when the container started.
     */
    private static final String LOOP =
            "i=0; while :; do i=$((i+1)); { "
                    + WORKS
                    + "; } > /tmp/r 2>&1; echo \"$i $(tr '\\n' ' ' < /tmp/r)\" > /tmp/o;"
                    + " mv /tmp/o /tmp/out; sleep 0.2; done";

    /** When C meets the crash: on its way up, at its removal, or when it dies unannounced. */
    private enum Moment {
        START,
        STOP,
        SWEEP
    }

    private static Moment momentOf(CrashPoint point) {
        // A switch expression without default: a new point does not compile until placed here.
        return switch (point) {
            case PREPARE_RECORDED,
                    PREPARE_IDS,
                    ID_JOURNAL_APPENDED,
                    PREPARE_SHIFTED,
                    PREPARE_DATADIRS,
                    PREPARE_CONFIG,
                    PREPARE_WRITTEN,
                    CREATE_RUNTIME_REGISTERED,
                    FEATURE_PREPARED_RESOURCES,
                    FEATURE_POD_NETWORK,
                    FEATURE_CGROUP_DELEGATION,
                    FEATURE_DATA_DIRS,
                    FEATURE_VIRTUAL_FILES,
                    CREATE_RUNTIME_DONE,
                    SECCOMP_LISTENER_RECEIVED,
                    SECCOMP_LISTENER_KEPT ->
                    Moment.START;
            case RELEASE_STOPPING, RELEASE_RANGE_FREED -> Moment.STOP;
            case RECONCILER_RELEASING -> Moment.SWEEP;
        };
    }

    private TestDir dir;
    private String[] pool;
    private Daemon daemon;
    private Container r;

    @BeforeAll
    void startR() throws Exception {
        Root.require();
        dir = new TestDir("fault");
        pool = SubIds.pool(dir.path(), 5_800_000, 4 * 65536L);
        daemon = new Daemon(dir.path(), pool).start();
        r = container("r", "sh", "-c", LOOP);
        Cmd.Result started = r.startDetachedResult();
        assertEquals(0, started.exit(), started.all() + "\n" + daemon.log());
        assertWorks(r, "R before any crash");
    }

    @AfterAll
    void stop() throws Exception {
        Cleanup.closeAll(r, daemon, dir);
    }

    @ParameterizedTest
    @EnumSource(CrashPoint.class)
    void recoversFromACrashAt(CrashPoint point) throws Exception {
        daemon.terminate();
        Daemon armed =
                new Daemon(
                                dir.path(),
                                List.of(),
                                Map.of(
                                        "NESTLETD_JAVA_OPTS",
                                        "-D" + CrashPoint.PROPERTY + "=" + point),
                                pool)
                        .start();
        daemon = armed;
        String cid = "c-" + point.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        Container c = container(cid, "sh", "-c", LOOP);
        Cmd.Result outcome =
                switch (momentOf(point)) {
                    case START -> c.startDetachedResult();
                    case STOP -> {
                        c.startDetached();
                        yield c.delete();
                    }
                    case SWEEP -> {
                        c.startDetached();
                        c.kill(); // no delete: no poststop, the reconciler finds it gone
                        yield null;
                    }
                };
        awaitHalt(armed, point);
        // Which way C went, for the report: up, or refused with this message.
        System.out.println(
                point
                        + ": "
                        + (outcome == null
                                ? "C killed, left to the reconciler"
                                : "exit " + outcome.exit() + " " + outcome.err().strip()));

        daemon = new Daemon(dir.path(), pool).start();
        try {
            checkAfterRestart(point, cid, c, outcome);
        } finally {
            // The engine removes C: delete (poststop through the new nestletd), then its bundle.
            c.close();
            Cmd.of("rm", "-rf", "--one-file-system", c.bundle().toString()).run().ok();
        }
        awaitOnlyR(cid);
        assertWorks(r, "R after a crash at " + point);
        assertEquals(
                List.of(),
                Processes.mentioning(cid).stream()
                        .filter(h -> !Processes.gone(h))
                        .map(Processes::describe)
                        .toList(),
                "no runtime, hook or shim of C hangs");

        Container d = container("d-" + cid.substring(2), "sh", "-c", WORKS);
        Cmd.Result ran = d.run();
        assertEquals(0, ran.exit(), ran.all() + "\n" + daemon.log());
        assertTrue(ran.out().contains(MEMTOTAL) && ran.out().contains("works"), ran.all());
        Cmd.of("rm", "-rf", "--one-file-system", d.bundle().toString()).run().ok();
        awaitOnlyR(d.id());
    }

    /**
     * What must hold of C before the engine removes it: a start cut off failed naming nestletd; a C
     * that came up works and holds its range.
     */
    private void checkAfterRestart(CrashPoint point, String cid, Container c, Cmd.Result outcome)
            throws Exception {
        if (momentOf(point) != Moment.START) {
            return;
        }
        if (outcome.exit() != 0) {
            assertTrue(
                    outcome.all().contains("nestletd"),
                    "a start cut off names nestletd: " + outcome.all());
            return;
        }
        assertWorks(c, "C, which came up before the crash");
        assertEquals(
                Set.of("r", cid), holders(), "C holds its range while it runs:\n" + daemon.log());
    }

    /** A system container through nestlet-runtime and runc, in a bundle of its own. */
    private Container container(String id, String... args) throws Exception {
        Path bundle = dir.resolve("b-" + id);
        Path rootfs = Rootfs.busybox(bundle.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("mnt"));
        new Spec(rootfs, args).resources(MEMORY, "1", 50_000, 100_000).writeTo(bundle);
        return Container.viaShim(OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, id);
    }

    /** Waits for two more rounds of {@code c}'s LOOP; the last one must have worked. */
    private static void assertWorks(Container c, String who) throws Exception {
        Path out = Path.of("/proc/" + c.pid() + "/root/tmp/out");
        long first = round(out);
        String last = "";
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (round(out) < first + 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (Files.exists(out)) {
            last = Files.readString(out);
        }
        assertTrue(round(out) >= first + 2, who + " runs its loop: " + last);
        assertTrue(
                last.contains(MEMTOTAL) && last.contains("works"),
                who + " reads its own meminfo and mounts: " + last);
    }

    /** The number of the last finished round of LOOP, 0 before the first. */
    private static long round(Path out) throws Exception {
        if (!Files.exists(out)) {
            return 0;
        }
        String text = Files.readString(out).strip();
        return text.isEmpty() ? 0 : Long.parseLong(text.split(" ", 2)[0]);
    }

    /** Waits until the armed nestletd halted, at that very point. */
    private static void awaitHalt(Daemon armed, CrashPoint point) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (armed.alive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(armed.alive(), "nestletd never reached " + point + ":\n" + armed.log());
        assertTrue(
                armed.log().contains("crash point " + point + " reached"),
                "nestletd died elsewhere than at " + point + ":\n" + armed.log());
    }

    /** Ids of the containers holding ranges; fails if two allocations overlap. */
    private Set<String> holders() throws Exception {
        JsonNode inUse =
                JSON.readTree(daemon.ctl("allocations", "-o", "json").ok().out()).path("inUse");
        Set<String> ids = new HashSet<>();
        List<long[]> spans = new ArrayList<>();
        for (JsonNode a : inUse) {
            assertTrue(ids.add(a.path("id").asText()), "one range per container: " + inUse);
            long base = a.path("range").path("uidBase").asLong();
            long end = base + a.path("range").path("size").asLong();
            for (long[] s : spans) {
                assertTrue(end <= s[0] || base >= s[1], "no range handed out twice: " + inUse);
            }
            spans.add(new long[] {base, end});
        }
        return ids;
    }

    /**
     * Waits (up to 20 s) until nestletd knows only R, and then checks that {@code gone} left no
     * range, mount, shifted-mount dir or data dir.
     */
    private void awaitOnlyR(String gone) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!(daemon.ps().size() == 1 && holders().equals(Set.of("r")))
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(1, daemon.ps().size(), "only R is known:\n" + daemon.ps() + daemon.log());
        assertEquals(Set.of("r"), holders(), gone + "'s range is released");
        assertEquals(List.of(), Mounts.mentioning(gone), gone + " left no mount on the host");
        assertFalse(
                Files.exists(daemon.stateDir().resolve("mounts").resolve(gone)),
                gone + " left no shifted-mount dir");
        assertFalse(
                Files.exists(daemon.stateDir().resolve("data").resolve(gone)),
                gone + " left no data dir");
    }
}
