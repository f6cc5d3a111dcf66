package dev.nestlet.it.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * The Docker-in-Docker pods of the Kubernetes tests, through a {@link CriClient}: {@link DindImage}
 * as the image of every container (its init runs dockerd and the tests' scripts), in the pod shapes
 * CI runners use. Shared by KubeDindIT and KubeInstallerIT, whatever started the node and nestletd.
 */
public final class DindPods {
    /** {@link DindImage} in a node's k8s.io namespace. */
    public static final String IMAGE = "nestlet.test/dind:1";

    private static final List<String> INIT = List.of("/usr/local/bin/nestlet-e2e-init");

    /** Where ARC's dind sidecar puts dockerd's socket, shared with the runner. */
    private static final String ARC_SOCKET_DIR = "/run/dind";

    private DindPods() {}

    private static Path archive;

    /**
     * Imports {@link DindImage} into {@code node} as {@link #IMAGE}: a hard link, in the node's
     * images dir, to the one docker-archive of the run ({@link #archive()}).
     */
    public static void importInto(KubeNode node) throws Exception {
        Path in = node.imagesDir().resolve("dind.tar");
        Files.deleteIfExists(in);
        Files.createLink(in, archive());
        node.importImage(in);
    }

    /**
     * {@link DindImage} as a docker-archive tagged {@link #IMAGE}, next to its tar; made once per
     * test JVM instead of hashing and copying the image's 800 MB again for every node that imports
     * it (KubeDindIT's and each of KubeInstallerIT's two).
     */
    private static synchronized Path archive() throws Exception {
        if (archive == null) {
            Path tar = DindImage.tar();
            archive =
                    Images.dockerArchive(
                            tar, IMAGE, INIT, tar.resolveSibling("dind-docker-archive.tar"));
        }
        return archive;
    }

    /**
     * The runner as the system container: one container that starts dockerd with its defaults
     * (bridge, iptables); returns its id, started.
     */
    public static String runner(CriClient cri, String podId, CriClient.Pod pod) {
        String runner =
                cri.createContainer(
                        podId, pod, "runner", IMAGE, INIT, Map.of("DOCKERD_ARGS", ""), Map.of());
        cri.startContainer(runner);
        return runner;
    }

    /**
     * Actions Runner Controller's dind mode: the runner and a dind sidecar, neither privileged,
     * share an emptyDir (a dir of {@code parent}, made here) that holds dockerd's socket, and the
     * runner's docker uses it through DOCKER_HOST. ARC mounts the emptyDir at /var/run; here it is
     * /run/dind, since the test image's init takes its jobs from /run/nestlet-e2e, which the two
     * containers must not share. Returns the runner's id.
     */
    public static String arc(CriClient cri, String podId, CriClient.Pod pod, Path parent)
            throws Exception {
        // An emptyDir as the kubelet makes one: mode 0777, so that a hostUsers: false pod's root
        // (a host id nothing on the node owns) may create the socket in it.
        Path sock = Files.createDirectories(parent.resolve(TestDir.unique("dind-sock")));
        Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rwxrwxrwx"));
        String socket = "unix://" + ARC_SOCKET_DIR + "/docker.sock";
        return jobWithASidecar(
                cri, podId, pod, "-H " + socket, socket, Map.of(ARC_SOCKET_DIR, sock));
    }

    /**
     * Two containers of {@link #IMAGE} in {@code pod}: "dind" runs dockerd with {@code
     * dockerdArgs}, "job" runs none and reaches it at {@code dockerHost}; both mount {@code shared}
     * ({@code containerPath -> hostPath}). Returns the job's id, both started.
     */
    public static String jobWithASidecar(
            CriClient cri,
            String podId,
            CriClient.Pod pod,
            String dockerdArgs,
            String dockerHost,
            Map<String, Path> shared) {
        String dind =
                cri.createContainer(
                        podId,
                        pod,
                        "dind",
                        IMAGE,
                        INIT,
                        Map.of("DOCKERD_ARGS", dockerdArgs),
                        shared);
        cri.startContainer(dind);
        String job =
                cri.createContainer(
                        podId,
                        pod,
                        "job",
                        IMAGE,
                        INIT,
                        Map.of("DOCKERD", "no", "DOCKER_HOST", dockerHost),
                        shared);
        cri.startContainer(job);
        return job;
    }
}
