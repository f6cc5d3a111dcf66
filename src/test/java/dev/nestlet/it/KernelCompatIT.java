package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Daemon;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.DindImage;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.SharedRoot;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.SystemContainer;
import dev.nestlet.it.support.TestDir;
import dev.nestlet.it.support.UsesRoots;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The key scenarios again under {@code nestletd --kernel-compat}, so that the fallbacks of older
 * kernels run on this one: the virtual files (VirtualFilesIT's tests) on 6.1 and 6.8, the shifts
 * (ShiftIT's, whose overlay rebuild of three layers takes one lowerdir option under 6.1), the
 * seccomp agent's emulated proc mounts (AgentGapsIT's, through nestlet-procfs under 6.8), and the
 * Docker-in-Docker scenario (DindIT's first, whose inner containers mount proc through the
 * nestlet-procfs helper) once per version, with runc. 6.6 (Container-Optimized OS) differs from 6.1
 * only by tmpfs ID-mapping, which nestlet does not use: its status line and the three-layer
 * overlay, the one path where 6.6 and 6.8 part, run under it.
 */
@UsesRoots(SharedRoot.DIND)
class KernelCompatIT {
    /** Adds --kernel-compat VERSION to {@code args}. */
    static String[] compat(String version, String... args) {
        return Stream.concat(Stream.of(args), Stream.of("--kernel-compat", version))
                .toArray(String[]::new);
    }

    /** nestletd's status line under {@code version} names exactly the features it turns off. */
    static void statusTurnsOff(Daemon daemon, String version, String off) {
        String status = daemon.ctl("status").ok().out();
        assertTrue(status.contains("--kernel-compat " + version + ": without " + off), status);
    }

    /** VirtualFilesIT's tests under one compat version, which turns {@code off} off. */
    abstract static class VirtualFilesUnder extends VirtualFilesIT {
        private final String version;
        private final String off;

        VirtualFilesUnder(String version, String off) {
            this.version = version;
            this.off = off;
        }

        @Override
        protected String name() {
            return "vfs-" + version;
        }

        @Override
        protected String[] daemonArgs(Path testDir) throws Exception {
            return compat(version, super.daemonArgs(testDir));
        }

        @Test
        void statusSaysWhatThisModeTurnsOff() {
            statusTurnsOff(daemon, version, off);
        }
    }

    @Nested
    class VirtualFilesOn61 extends VirtualFilesUnder {
        VirtualFilesOn61() {
            super("6.1", "tmpfs ID-mapping (6.3), overlay lowerdir+ (6.8), proc pidns (6.18)");
        }
    }

    @Nested
    class VirtualFilesOn68 extends VirtualFilesUnder {
        VirtualFilesOn68() {
            super("6.8", "proc pidns (6.18)");
        }
    }

    @Nested
    class ShiftOn61 extends ShiftIT {
        @Override
        protected String name() {
            return "shift-6.1";
        }

        @Override
        protected String[] daemonArgs(Path testDir) throws Exception {
            return compat("6.1", super.daemonArgs(testDir));
        }
    }

    /**
     * Container-Optimized OS's 6.6: tmpfs ID-mapping on, lowerdir+ and pidns off; an engine's
     * overlay of three layers rebuilt through one lowerdir option.
     */
    @Nested
    class On66 extends DaemonTest {
        @Override
        protected String name() {
            return "compat-6.6";
        }

        @Override
        protected String[] daemonArgs(Path testDir) throws Exception {
            return compat("6.6", SubIds.pool(testDir, 3_500_000, 4 * 65536));
        }

        @Test
        void statusSaysWhatThisModeTurnsOff() {
            statusTurnsOff(daemon, "6.6", "overlay lowerdir+ (6.8), proc pidns (6.18)");
        }

        @Test
        void overlayOfThreeLayersIsRebuiltThroughOneLowerdir() throws Exception {
            ShiftIT.threeLayerOverlay(daemon, dir.path());
        }
    }

    /** The seccomp agent's emulated proc mounts (AgentGapsIT's) through nestlet-procfs. */
    @Nested
    class AgentGapsOn68 extends AgentGapsIT {
        @Override
        protected String name() {
            return "agent-gaps-6.8";
        }

        @Override
        protected String[] daemonArgs(Path testDir) throws Exception {
            return compat("6.8", super.daemonArgs(testDir));
        }

        @AfterAll
        void procCameThroughTheHelper() {
            assertTrue(helperProcs(daemon) >= 1, "proc contexts through nestlet-procfs");
        }
    }

    /** Proc contexts the daemon opened, all through nestlet-procfs (none through pidns). */
    static double helperProcs(Daemon daemon) {
        Matcher m =
                Pattern.compile("nestlet_proc_contexts_total\\{how=\"(\\w+)\"} (\\S+)")
                        .matcher(daemon.ctl("metrics").ok().out());
        double helper = 0;
        while (m.find()) {
            assertTrue(
                    m.group(1).equals("helper"), "no proc through fsconfig(pidns): " + m.group());
            helper = Double.parseDouble(m.group(2));
        }
        return helper;
    }

    /** DindIT's first scenario with runc under one compat version; proc contexts via the helper. */
    abstract static class DindUnder extends DaemonTest {
        private final String version;

        DindUnder(String version) {
            this.version = version;
        }

        @Override
        protected String name() {
            return "dind-" + version;
        }

        @Override
        protected String[] daemonArgs(Path testDir) throws Exception {
            return compat(version, SubIds.pool(testDir, 7_000_000, 2 * 65536));
        }

        @Test
        void firstDockerInDockerScenario() throws Exception {
            String id = TestDir.unique("dind-compat");
            try (SystemContainer c =
                    SystemContainer.start(
                            OciRuntime.RUNC,
                            daemon,
                            dir.path(),
                            id,
                            DindImage.rootfs(),
                            s -> {},
                            "")) {
                DindIT.firstScenario(c.runner(), "compat-" + version);
            }
            assertTrue(
                    helperProcs(daemon) >= 1,
                    "the inner containers' proc came through nestlet-procfs");
        }
    }

    @Nested
    @Tag("slow")
    class DindOn61 extends DindUnder {
        DindOn61() {
            super("6.1");
        }
    }

    @Nested
    @Tag("slow")
    class DindOn68 extends DindUnder {
        DindOn68() {
            super("6.8");
        }
    }
}
