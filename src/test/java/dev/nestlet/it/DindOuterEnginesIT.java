package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.nestlet.it.support.Cleanup;
import dev.nestlet.it.support.Daemon;
import dev.nestlet.it.support.DindImage;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.Dockerd;
import dev.nestlet.it.support.InitRunner;
import dev.nestlet.it.support.Podman;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;

/**
 * The Docker-in-Docker scenario with a real outer engine: the DinD image
 * imported into dockerd (`docker run --runtime nestlet`) and into podman
 * (`podman run --runtime nestlet-runtime`), each with its own default
 * capabilities, seccomp profile and masked paths.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DindOuterEnginesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private TestDir dir;
    private Daemon daemon;
    private Path shim;

    @BeforeAll
    void start() throws Exception {
        Root.require();
        DindImage.tar();
        dir = new TestDir("dind-outer");
        daemon = new Daemon(dir.path(), SubIds.pool(dir.path(), 8_000_000, 4 * 65536)).start();
        shim = dir.resolve("nestlet-runtime");
        Files.writeString(shim, "#!/bin/sh\nNESTLET_SOCKET=" + daemon.socket() + " exec "
                + Dist.bin("nestlet-runtime") + " \"$@\"\n");
        shim.toFile().setExecutable(true);
    }

    @AfterAll
    void stop() throws Exception {
        Cleanup.closeAll(daemon == null ? null : daemon::close, dir == null ? null : dir::close);
    }

    private void assertReleased() throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (daemon.ps().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0, daemon.ps().size(), "released when the engine removed it");
        assertEquals(0, JSON.readTree(daemon.ctl("allocations", "-o", "json").ok().out()).path("inUse").size());
    }

    @Test
    void throughDockerdWithRuntimeNestlet() throws Exception {
        try (Dockerd docker = new Dockerd(dir.resolve("docker")).runtime("nestlet", shim).start()) {
            String image = docker.importImage(DindImage.tar(), "nestlet-it/dind:latest");
            String id = docker.run("-d", "--runtime", "nestlet", "--network", "none", "-e", "DOCKERD_ARGS=", image,
                    "/usr/local/bin/nestlet-e2e-init").ok().out().trim();
            int pid = Integer.parseInt(docker.cli("inspect", "-f", "{{.State.Pid}}", id).ok().out().trim());
            DindIT.firstScenario(new InitRunner(pid), "docker");
            docker.cli("rm", "-f", id).ok();
            assertReleased();
        }
    }

    @Test
    void throughPodmanWithRuntimeNestletRuntime() throws Exception {
        try (Podman podman = new Podman(dir.resolve("podman")).start()) {
            String image = podman.importImage(DindImage.tar(), "nestlet-it/dind:latest");
            String id = podman.run("-d", "--runtime", shim.toString(), "--network", "none", "-e", "DOCKERD_ARGS=",
                    image, "/usr/local/bin/nestlet-e2e-init").ok().out().trim();
            int pid = Integer.parseInt(podman.cli("inspect", "-f", "{{.State.Pid}}", id).ok().out().trim());
            DindIT.firstScenario(new InitRunner(pid), "podman");
            podman.cli("rm", "-f", id).ok();
            assertReleased();
        }
    }
}
