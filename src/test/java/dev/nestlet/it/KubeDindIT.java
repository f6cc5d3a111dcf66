package dev.nestlet.it;

import dev.nestlet.it.support.CriClient;
import dev.nestlet.it.support.DindImage;
import dev.nestlet.it.support.Images;
import dev.nestlet.it.support.InitRunner;
import dev.nestlet.it.support.KubeTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runner as the system container, the Kubernetes way: a pod with runtimeClassName nestlet (and
 * no privileges) whose one container runs the Docker-in-Docker image's init, which starts dockerd
 * with its defaults (bridge, iptables); then everything DindIT asks of a system container: docker
 * run (also --net=host), BuildKit and legacy builds with RUN steps, a nested runc, nestlet's mounts
 * immutable, and the Testcontainers program (a published port waited on over HTTP, two containers
 * talking by network alias). With and without hostUsers: false.
 */
@Tag("slow")
class KubeDindIT extends KubeTest {
    private static final String IMAGE = "nestlet.test/dind:1";

    @Override
    protected String name() {
        return "kube-dind";
    }

    @BeforeAll
    void importImage() throws Exception {
        Path archive = node.imagesDir().resolve("dind.tar");
        Images.dockerArchive(
                DindImage.tar(), IMAGE, List.of("/usr/local/bin/nestlet-e2e-init"), archive);
        node.importImage(archive);
    }

    @ParameterizedTest(name = "hostUsers false: {0}")
    @ValueSource(booleans = {false, true})
    void runnerPodRunsDockerWithItsDefaults(boolean userns) throws Exception {
        CriClient.Pod pod =
                pod("runner", "nestlet", userns ? CriClient.kubeletMapping(65536L * 50) : null);
        String podId = cri.runPodSandbox(pod);
        try {
            String runner =
                    cri.createContainer(
                            podId,
                            pod,
                            "runner",
                            IMAGE,
                            List.of("/usr/local/bin/nestlet-e2e-init"),
                            Map.of("DOCKERD_ARGS", ""),
                            Map.of());
            cri.startContainer(runner);
            DindIT.firstScenario(new InitRunner(pidOf(runner)), userns ? "kube-userns" : "kube");
        } finally {
            cri.deletePod(podId);
        }
        daemon.awaitAllReleased();
    }
}
