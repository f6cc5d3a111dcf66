package dev.nestlet.it;

import dev.nestlet.it.cri.v1.IDMapping;
import dev.nestlet.it.support.CriClient;
import dev.nestlet.it.support.DindImage;
import dev.nestlet.it.support.Images;
import dev.nestlet.it.support.InitRunner;
import dev.nestlet.it.support.KubeTest;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * talking by network alias). With and without hostUsers: false. Then the two pod shapes CI runners
 * use, where dockerd runs in a sidecar of the job's pod: Actions Runner Controller's dind mode and
 * GitLab's dind service.
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

    /**
     * ARC's dind mode: the runner and a dind sidecar, neither privileged, share an emptyDir that
     * holds dockerd's socket, and the runner's docker uses it through DOCKER_HOST. (ARC mounts the
     * emptyDir at /var/run; here it is /run/dind, since the test image's init takes its jobs from
     * /run/nestlet-e2e, which the two containers must not share.)
     */
    @ParameterizedTest(name = "hostUsers false: {0}")
    @ValueSource(booleans = {false, true})
    void arcRunnerWithADindSidecar(boolean userns) throws Exception {
        // An emptyDir as the kubelet makes one: mode 0777, so that a hostUsers: false pod's root
        // (a host id nothing on the node owns) may create the socket in it.
        Path sock = Files.createDirectories(dir.resolve(TestDir.unique("dind-sock")));
        Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rwxrwxrwx"));
        jobWithADindSidecar(
                "arc",
                userns ? CriClient.kubeletMapping(65536L * 51) : null,
                "-H unix:///run/dind/docker.sock",
                "unix:///run/dind/docker.sock",
                Map.of("/run/dind", sock));
    }

    /**
     * GitLab's Kubernetes executor with a docker:dind service: the service is a second container of
     * the job's pod, and the job reaches its dockerd at tcp://localhost:2375 (no TLS, as GitLab's
     * docs set it up with DOCKER_TLS_CERTDIR="").
     */
    @ParameterizedTest(name = "hostUsers false: {0}")
    @ValueSource(booleans = {false, true})
    void gitlabJobWithADindService(boolean userns) throws Exception {
        jobWithADindSidecar(
                "gitlab",
                userns ? CriClient.kubeletMapping(65536L * 52) : null,
                "-H tcp://127.0.0.1:2375",
                "tcp://localhost:2375",
                Map.of());
    }

    /**
     * A pod of two containers of the Docker-in-Docker image: "dind" runs dockerd with {@code
     * dockerdArgs}, "job" runs none and reaches it at {@code dockerHost}; both mount {@code
     * shared}. The job then does everything a CI job asks of its Docker.
     */
    private void jobWithADindSidecar(
            String name,
            IDMapping userns,
            String dockerdArgs,
            String dockerHost,
            Map<String, Path> shared)
            throws Exception {
        CriClient.Pod pod = pod(name, "nestlet", userns);
        String podId = cri.runPodSandbox(pod);
        try {
            List<String> init = List.of("/usr/local/bin/nestlet-e2e-init");
            String dind =
                    cri.createContainer(
                            podId,
                            pod,
                            "dind",
                            IMAGE,
                            init,
                            Map.of("DOCKERD_ARGS", dockerdArgs),
                            shared);
            cri.startContainer(dind);
            String job =
                    cri.createContainer(
                            podId,
                            pod,
                            "job",
                            IMAGE,
                            init,
                            Map.of("DOCKERD", "no", "DOCKER_HOST", dockerHost),
                            shared);
            cri.startContainer(job);
            InitRunner runner = new InitRunner(pidOf(job));
            DindIT.dockerdOnARealFilesystem(runner);
            DindIT.jobSteps(runner);
        } finally {
            cri.deletePod(podId);
        }
        daemon.awaitAllReleased();
    }
}
