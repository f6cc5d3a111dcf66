package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cgroups;
import dev.nestlet.it.support.Containerd;
import dev.nestlet.it.support.Dockerd;
import dev.nestlet.it.support.Engine;
import dev.nestlet.it.support.Leftovers;
import dev.nestlet.it.support.Mounts;
import dev.nestlet.it.support.Podman;
import dev.nestlet.it.support.Processes;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.TestDir;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine fixtures' promise: close() leaves no process, mount or cgroup of theirs behind, even
 * when the engine died first with a container running (a crashed dockerd or containerd leaves
 * shims, container processes, overlay mounts and dockerd's data-root bind behind; a killed conmon
 * leaves the container running).
 */
class EngineCleanupIT {
    @BeforeAll
    static void root() {
        Root.require();
    }

    @Test
    void dockerdKilledWithARunningContainer() throws Exception {
        try (TestDir dir = new TestDir("clean-docker")) {
            Dockerd d = new Dockerd(dir.resolve("docker"));
            assertCloseCleansUp(
                    d,
                    () -> {
                        d.start();
                        d.run("-d", "--network", "none", d.importBusybox(), "sleep", "600").ok();
                        Set<Long> running = containerProcesses(d);
                        assertTrue(
                                Mounts.mentioning(d.dataRoot().toString()).size() >= 2,
                                "the data-root bind and the container's overlay are mounted");
                        crash(d.pid(), d.containerd().pid());
                        return running;
                    });
        }
    }

    @Test
    void containerdKilledWithARunningContainer() throws Exception {
        try (TestDir dir = new TestDir("clean-ctrd")) {
            Containerd c = new Containerd(dir.resolve("ctrd"));
            assertCloseCleansUp(
                    c,
                    () -> {
                        c.start();
                        c.run("-d", c.importBusybox(), TestDir.unique("sleeper"), "sleep", "600")
                                .ok();
                        Set<Long> running = containerProcesses(c);
                        assertFalse(
                                Processes.mentioning(c.socket().toString()).isEmpty(),
                                "a shim serves the container");
                        crash(c.pid());
                        return running;
                    });
        }
    }

    @Test
    void podmanWithConmonKilledAndAContainerRunning() throws Exception {
        try (TestDir dir = new TestDir("clean-podman")) {
            Podman p = new Podman(dir.resolve("podman"));
            assertCloseCleansUp(
                    p,
                    () -> {
                        p.start();
                        String id =
                                p.run("-d", p.importBusybox(), "sleep", "600").ok().out().trim();
                        Set<Long> running = containerProcesses(p);
                        crash(
                                Long.parseLong(
                                        p.cli("inspect", "--format", "{{.State.ConmonPid}}", id)
                                                .ok()
                                                .out()
                                                .trim()));
                        return running;
                    });
            assertEquals(List.of(), Mounts.mentioning(p.runRoot().toString()));
            assertFalse(
                    p.runRoot().toFile().exists(),
                    "the runroot beside the test dir is removed: " + p.runRoot());
        }
    }

    /**
     * Runs {@code scenario} (start the engine, run a container, crash something; returns the
     * container's processes), closes {@code e} whatever happened, then checks nothing of it is
     * left.
     */
    private static void assertCloseCleansUp(Engine e, Callable<Set<Long>> scenario)
            throws Exception {
        Set<Long> running;
        try {
            running = scenario.call();
        } finally {
            e.close();
        }
        assertEquals(
                List.of(), Leftovers.find(e.dir(), e.cgroupParent()), e.name() + " left something");
        for (long pid : running) {
            assertTrue(
                    ProcessHandle.of(pid).map(Processes::gone).orElse(true),
                    "container process " + pid + " is gone");
        }
    }

    /** The processes in the engine's cgroup parent: the container (and conmon for podman). */
    private static Set<Long> containerProcesses(Engine e) {
        Set<Long> pids = Cgroups.pids(e.cgroupParent());
        assertFalse(pids.isEmpty(), "a container runs in " + e.cgroupParent());
        return pids;
    }

    /** SIGKILL, as a crash would, and wait until they are gone. */
    private static void crash(long... pids) {
        for (long pid : pids) {
            ProcessHandle h =
                    ProcessHandle.of(pid)
                            .orElseThrow(() -> new AssertionError("no process " + pid));
            h.destroyForcibly();
            Processes.stop(List.of(h), 5_000); // only waits: it is dying already
        }
    }
}
