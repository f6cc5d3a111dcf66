package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nestlet.it.cri.v1.IDMapping;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.CriClient;
import dev.nestlet.it.support.DindImage;
import dev.nestlet.it.support.DindPods;
import dev.nestlet.it.support.InitRunner;
import dev.nestlet.it.support.KubeTest;
import dev.nestlet.it.support.ServerNetwork;
import dev.nestlet.it.support.SharedRoot;
import dev.nestlet.it.support.UsesRoots;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
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
 * GitLab's dind service. In each, the job's container and a container of the pod's dockerd resolve
 * a name through the pod's DNS and fetch a file from a server outside the node's pods ({@link
 * ServerNetwork}).
 */
@UsesRoots({SharedRoot.KUBE_NODE, SharedRoot.DIND})
@Tag("slow")
class KubeDindIT extends KubeTest {
    @Override
    protected String name() {
        return "kube-dind";
    }

    /** The name server and file server every pod of this class uses. */
    private ServerNetwork server;

    @BeforeAll
    void importImage() throws Exception {
        DindPods.importInto(node);
        server = ServerNetwork.start(node, dir.path());
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** Every pod here has the server network's DNS, as the kubelet's ClusterFirst gives it. */
    @Override
    protected CriClient.Pod pod(String name, String handler, IDMapping userns) throws Exception {
        return super.pod(name, handler, userns).withDns(server.dns());
    }

    @ParameterizedTest(name = "hostUsers false: {0}")
    @ValueSource(booleans = {false, true})
    void runnerPodRunsDockerWithItsDefaults(boolean userns) throws Exception {
        CriClient.Pod pod =
                pod("runner", "nestlet", userns ? CriClient.kubeletMapping(65536L * 50) : null);
        String podId = cri.runPodSandbox(pod);
        try {
            String runner = DindPods.runner(cri, podId, pod);
            InitRunner sc = new InitRunner(pidOf(runner));
            DindIT.firstScenario(sc, userns ? "kube-userns" : "kube");
            reachTheServer(sc);
        } finally {
            cri.deletePod(podId);
        }
        daemon.awaitAllReleased();
    }

    /** ARC's dind mode ({@link DindPods#arc}); the runner does every step of a CI job. */
    @ParameterizedTest(name = "hostUsers false: {0}")
    @ValueSource(booleans = {false, true})
    void arcRunnerWithADindSidecar(boolean userns) throws Exception {
        CriClient.Pod pod =
                pod("arc", "nestlet", userns ? CriClient.kubeletMapping(65536L * 51) : null);
        String podId = cri.runPodSandbox(pod);
        try {
            jobSteps(DindPods.arc(cri, podId, pod, dir.path()));
        } finally {
            cri.deletePod(podId);
        }
        daemon.awaitAllReleased();
    }

    /**
     * GitLab's Kubernetes executor with a docker:dind service: the service is a second container of
     * the job's pod, and the job reaches its dockerd at tcp://localhost:2375 (no TLS, as GitLab's
     * docs set it up with DOCKER_TLS_CERTDIR="").
     */
    @ParameterizedTest(name = "hostUsers false: {0}")
    @ValueSource(booleans = {false, true})
    void gitlabJobWithADindService(boolean userns) throws Exception {
        IDMapping mapping = userns ? CriClient.kubeletMapping(65536L * 52) : null;
        CriClient.Pod pod = pod("gitlab", "nestlet", mapping);
        String podId = cri.runPodSandbox(pod);
        try {
            jobSteps(
                    DindPods.jobWithASidecar(
                            cri,
                            podId,
                            pod,
                            "-H tcp://127.0.0.1:2375",
                            "tcp://localhost:2375",
                            Map.of()));
        } finally {
            cri.deletePod(podId);
        }
        daemon.awaitAllReleased();
    }

    /** Everything a CI job asks of its Docker, from container {@code job}. */
    private void jobSteps(String job) throws Exception {
        InitRunner runner = new InitRunner(pidOf(job));
        DindIT.dockerdOnARealFilesystem(runner);
        DindIT.jobSteps(runner);
        reachTheServer(runner);
    }

    /**
     * From the job's container, then from a container of its dockerd on the default bridge (whose
     * resolv.conf dockerd copies from the pod's, the name server being no loopback address): the
     * server's name resolves through the pod's DNS and its file is fetched by the short name, so
     * through the pod's search list; the inner container's traffic leaves through dockerd's NAT,
     * the pod's interface and the node. The image's Debian has no nslookup or wget: the static
     * busybox of its nested bundle has both.
     */
    private void reachTheServer(InitRunner sc) throws Exception {
        String steps =
                "nslookup "
                        + ServerNetwork.NAME
                        + " | grep -q 'Address: "
                        + server.address()
                        + "$' && wget -qO- "
                        + ServerNetwork.URL;
        Cmd.Result job =
                sc.sh(DindImage.E2E + "/nested/rootfs/bin/busybox sh -c \"" + steps + "\"", 60);
        assertEquals(
                server.content(), job.ok().out(), "from the job's container: " + server.dnsLog());
        Cmd.Result inner = sc.sh("docker run --rm busybox sh -c \"" + steps + "\"", 120);
        assertEquals(
                server.content(), inner.ok().out(), "from an inner container: " + server.dnsLog());
    }
}
