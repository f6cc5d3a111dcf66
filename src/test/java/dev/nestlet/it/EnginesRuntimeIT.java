package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Containerd;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.Dockerd;
import dev.nestlet.it.support.Podman;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * nestlet-runtime registered with real engines, as a user would: dockerd --add-runtime, podman
 * --runtime, ctr --runc-binary. Each engine's busybox container gets an exclusive range, its
 * overlay rootfs shifted, and is released when the engine removes it.
 */
class EnginesRuntimeIT extends DaemonTest {
    @Override
    protected String name() {
        return "engines-rt";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        return SubIds.pool(testDir, BASE, 4 * RANGE);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BASE = 7_000_000;
    private static final long RANGE = 65536;
    private Path shim;

    @BeforeAll
    void writeRuntime() throws Exception {
        shim = daemon.runtimeWrapper(dir.path());
    }

    /**
     * What every engine's container must show: its range, root, the image owned by root, writes as
     * host root.
     */
    private void checkSystemContainer(int pid, Exec exec) throws Exception {
        String[] map = exec.run("cat", "/proc/self/uid_map").ok().out().trim().split("\\s+");
        assertEquals("0", map[0]);
        long base = Long.parseLong(map[1]);
        assertTrue(base >= BASE && base < BASE + 4 * RANGE, "a range from the pool: " + base);
        assertEquals(String.valueOf(RANGE), map[2]);
        assertTrue(exec.run("id").ok().out().startsWith("uid=0(root) gid=0(root)"));
        assertEquals(
                "0",
                exec.run("stat", "-c", "%u", "/bin/busybox").ok().out().trim(),
                "image owned by its root");
        exec.run("touch", "/made-inside").ok();
        assertTrue(
                Files.readString(Path.of("/proc/" + pid + "/status"))
                        .contains("\nUid:\t" + base + "\t"),
                "on the host it runs as " + base);

        JsonNode rec = null;
        for (JsonNode row : daemon.ps()) {
            if (row.path("pid").asInt() == pid) {
                rec =
                        JSON.readTree(
                                        daemon.ctl("inspect", row.path("id").asText(), "-o", "json")
                                                .ok()
                                                .out())
                                .path("container");
            }
        }
        assertTrue(
                rec != null, "nestletctl knows the container of pid " + pid + ": " + daemon.ps());
        assertEquals("idmap-overlay", rec.path("shift").path("method").asText(), rec.toString());
        Path upper = upperDirOf(rec.path("shift").path("originalRoot").asText());
        Path made = upper.resolve("made-inside");
        assertEquals(
                0,
                Files.getAttribute(made, "unix:uid"),
                "written into the engine's upper dir as host root");
    }

    /** The upper dir of the engine's overlay mounted at {@code merged}. */
    private static Path upperDirOf(String merged) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f[4].equals(merged)) {
                for (String opt : line.substring(line.indexOf(" - ")).split(",")) {
                    if (opt.startsWith("upperdir=")) {
                        return Path.of(opt.substring("upperdir=".length()));
                    }
                }
            }
        }
        throw new AssertionError("no overlay at " + merged);
    }

    @FunctionalInterface
    private interface Exec {
        Cmd.Result run(String... cmd);
    }

    private static String[] concat(List<String> head, String... tail) {
        String[] out = new String[head.size() + tail.length];
        head.toArray(out);
        System.arraycopy(tail, 0, out, head.size(), tail.length);
        return out;
    }

    @Test
    void dockerdWithAddRuntime() throws Exception {
        try (Dockerd docker = new Dockerd(dir.resolve("docker")).runtime("nestlet", shim).start()) {
            String image = docker.importBusybox();
            String id =
                    docker.run(
                                    "-d",
                                    "--runtime",
                                    "nestlet",
                                    "--network",
                                    "none",
                                    image,
                                    "sleep",
                                    "300")
                            .ok()
                            .out()
                            .trim();
            int pid =
                    Integer.parseInt(
                            docker.cli("inspect", "-f", "{{.State.Pid}}", id).ok().out().trim());
            checkSystemContainer(pid, cmd -> docker.cli(concat(List.of("exec", id), cmd)));
            docker.cli("rm", "-f", id).ok();
            daemon.awaitAllReleased();
        }
    }

    @Test
    void podmanWithRuntime() throws Exception {
        try (Podman podman = new Podman(dir.resolve("podman")).start()) {
            String image = podman.importBusybox();
            String id =
                    podman.run("-d", "--runtime", shim.toString(), image, "sleep", "300")
                            .ok()
                            .out()
                            .trim();
            int pid =
                    Integer.parseInt(
                            podman.cli("inspect", "-f", "{{.State.Pid}}", id).ok().out().trim());
            checkSystemContainer(pid, cmd -> podman.cli(concat(List.of("exec", id), cmd)));
            podman.cli("rm", "-f", id).ok();
            daemon.awaitAllReleased();
        }
    }

    @Test
    void containerdWithRuncBinary() throws Exception {
        try (Containerd ctr = new Containerd(dir.resolve("ctrd")).start()) {
            String image = ctr.importBusybox();
            String id = TestDir.unique("ctr");
            ctr.run("-d", "--runc-binary", shim.toString(), image, id, "sleep", "300").ok();
            String tasks = ctr.cli("task", "ls").ok().out();
            int pid =
                    Integer.parseInt(
                            tasks.lines()
                                    .filter(l -> l.startsWith(id))
                                    .findFirst()
                                    .orElseThrow()
                                    .trim()
                                    .split("\\s+")[1]);
            int[] n = {0};
            checkSystemContainer(
                    pid,
                    cmd ->
                            ctr.cli(
                                    concat(
                                            List.of("task", "exec", "--exec-id", "e" + n[0]++, id),
                                            cmd)));
            ctr.cli("task", "kill", "--signal", "SIGKILL", id).ok();
            Thread.sleep(500);
            ctr.cli("task", "delete", id).ok();
            ctr.cli("container", "delete", id).ok();
            daemon.awaitAllReleased();
        }
    }
}
