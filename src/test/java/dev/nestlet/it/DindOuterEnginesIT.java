package dev.nestlet.it;

import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.DindImage;
import dev.nestlet.it.support.Dockerd;
import dev.nestlet.it.support.InitRunner;
import dev.nestlet.it.support.Podman;
import dev.nestlet.it.support.SharedRoot;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.UsesRoots;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Docker-in-Docker scenario with a real outer engine: the DinD image imported into dockerd
 * (`docker run --runtime nestlet`) and into podman (`podman run --runtime nestlet-runtime`), each
 * with its own default capabilities, seccomp profile and masked paths.
 */
@UsesRoots(SharedRoot.DIND)
@Tag("slow")
class DindOuterEnginesIT extends DaemonTest {
    @Override
    protected String name() {
        return "dind-outer";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        return SubIds.pool(testDir, 8_000_000, 4 * 65536);
    }

    private Path shim;

    @BeforeAll
    void prepare() throws Exception {
        DindImage.tar();
        shim = daemon.runtimeWrapper(dir.path());
    }

    @Test
    void throughDockerdWithRuntimeNestlet() throws Exception {
        throughDockerd("docker", sc -> DindIT.firstScenario(sc, "docker"));
    }

    /**
     * Privileged inner containers in a system container that dockerd started (`docker run --runtime
     * nestlet`).
     */
    @Test
    void privilegedInsideThroughDockerdWithRuntimeNestlet() throws Exception {
        throughDockerd("docker-priv", DindIT::privilegedScenario);
    }

    private interface Scenario {
        void run(InitRunner systemContainer) throws Exception;
    }

    /**
     * Runs {@code scenario} in the DinD image started by a dockerd of its own with `--runtime
     * nestlet`.
     */
    private void throughDockerd(String name, Scenario scenario) throws Exception {
        try (Dockerd docker = new Dockerd(dir.resolve(name)).runtime("nestlet", shim).start()) {
            String image = docker.importImage(DindImage.tar(), "nestlet-it/dind:latest");
            String id =
                    docker.run(
                                    "-d",
                                    "--runtime",
                                    "nestlet",
                                    "--network",
                                    "none",
                                    "-e",
                                    "DOCKERD_ARGS=",
                                    image,
                                    "/usr/local/bin/nestlet-e2e-init")
                            .ok()
                            .out()
                            .trim();
            int pid =
                    Integer.parseInt(
                            docker.cli("inspect", "-f", "{{.State.Pid}}", id).ok().out().trim());
            scenario.run(new InitRunner(pid));
            docker.cli("rm", "-f", id).ok();
            daemon.awaitAllReleased();
        }
    }

    @Test
    void throughPodmanWithRuntimeNestletRuntime() throws Exception {
        try (Podman podman = new Podman(dir.resolve("podman")).start()) {
            String image = podman.importImage(DindImage.tar(), "nestlet-it/dind:latest");
            String id =
                    podman.run(
                                    "-d",
                                    "--runtime",
                                    shim.toString(),
                                    "--network",
                                    "none",
                                    "-e",
                                    "DOCKERD_ARGS=",
                                    image,
                                    "/usr/local/bin/nestlet-e2e-init")
                            .ok()
                            .out()
                            .trim();
            int pid =
                    Integer.parseInt(
                            podman.cli("inspect", "-f", "{{.State.Pid}}", id).ok().out().trim());
            DindIT.firstScenario(new InitRunner(pid), "podman");
            podman.cli("rm", "-f", id).ok();
            daemon.awaitAllReleased();
        }
    }
}
