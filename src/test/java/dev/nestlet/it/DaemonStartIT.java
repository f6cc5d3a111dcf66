package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * nestletd as the launcher starts it: on the install tree's own Java runtime with its start-up
 * archive mapped, no JVM warnings, and its start-up figures in the log (exec -> each phase ->
 * socket serving, exec -> first container answered).
 */
class DaemonStartIT extends DaemonTest {
    @Override
    protected String name() {
        return "start";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        return SubIds.pool(testDir, 3_500_000, 2 * 65536);
    }

    @Test
    void runsOnTheBundledRuntimeWithItsArchive() throws Exception {
        Path runtime = Dist.home().resolve("runtime");
        assertEquals(
                runtime.resolve("bin/java").toRealPath(),
                Path.of("/proc/" + daemon.pid() + "/exe").toRealPath(),
                "the launcher prefers the install tree's runtime");
        String maps = Files.readString(Path.of("/proc/" + daemon.pid() + "/maps"));
        assertTrue(
                maps.contains(runtime.resolve("nestletd.aot").toString())
                        || maps.contains(runtime.resolve("nestletd.jsa").toString()),
                "nestletd's archive is mapped (the build made it, as root, and the JVM accepted"
                        + " it):\n"
                        + daemon.log());
        assertTrue(
                daemon.log()
                        .lines()
                        .noneMatch(l -> l.contains("WARNING") || l.contains("[warning]")),
                "no JVM warnings (Unsafe, native access, archive):\n" + daemon.log());
    }

    @Test
    void logsItsStartUpFigures() throws Exception {
        Matcher ready =
                Pattern.compile("ready on .*start-up ms after exec: (.*)").matcher(daemon.log());
        assertTrue(ready.find(), daemon.log());
        List<String> names = new ArrayList<>();
        long last = 0;
        for (String phase : ready.group(1).split(", ")) {
            int space = phase.lastIndexOf(' ');
            long ms = Long.parseLong(phase.substring(space + 1));
            assertTrue(ms >= last, "phases in order of time: " + ready.group(1));
            last = ms;
            names.add(phase.substring(0, space));
        }
        assertEquals("main", names.get(0), ready.group(1));
        assertEquals("serving", names.get(names.size() - 1), ready.group(1));
        assertTrue(last > 0, "measured from the exec, not from main: " + ready.group(1));

        String id = TestDir.unique("start");
        Path bundle = dir.resolve(id);
        new Spec(Rootfs.busybox(bundle.resolve("rootfs")), "true")
                .cgroupsPath("/" + id)
                .writeTo(bundle);
        try (Container c =
                Container.viaShim(OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, id)) {
            c.run().ok();
        }
        assertTrue(daemon.logShows("first container answered", 5000), daemon.log());
        Matcher first =
                Pattern.compile("first container answered (\\d+) ms after exec \\(prepare\\)")
                        .matcher(daemon.log());
        assertTrue(first.find(), "the prepare of nestlet-runtime is the first: " + daemon.log());
        assertTrue(Long.parseLong(first.group(1)) >= last, "after serving: " + daemon.log());
        assertEquals(1, daemon.log().split("first container answered", -1).length - 1, "once");
        daemon.awaitAllReleased();
    }
}
