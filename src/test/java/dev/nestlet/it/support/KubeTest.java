package dev.nestlet.it.support;

import dev.nestlet.it.cri.v1.IDMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the Kubernetes integration tests: per class, a test dir that is also a {@link KubeNode}'s
 * dir (shared with the node at the same path), the node with the handler {@code nestlet} registered
 * from packaging/containerd/nestlet-containerd-{1,2}.toml, a nestletd of its own inside the node
 * (pool from {@link #BASE}), and a {@link CriClient}; all stopped and removed after the last test,
 * whatever happened.
 */
@UsesRoots(SharedRoot.KUBE_NODE)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class KubeTest {
    public static final long BASE = 7_000_000;
    public static final long RANGE = 65536;
    public static final int BLOCKS = 16;

    protected TestDir dir;
    protected KubeNode node;
    protected Daemon daemon;
    protected CriClient cri;

    protected abstract String name();

    /** 2 for containerd 2.x from sid (the default), 1 for Debian 12's containerd 1.6. */
    protected int containerdMajor() {
        return 2;
    }

    /** Called before the node starts: register more, e.g. {@code node.toml(...)}. */
    protected void configure(KubeNode n) throws Exception {}

    @BeforeAll
    void startNode() throws Exception {
        Root.require();
        dir = new TestDir(name());
        Path nestlet = Files.createDirectories(dir.resolve("nestlet"));
        // The handler as packaged for this containerd, with the test's nestlet-runtime.
        String handler =
                Files.readString(
                                Path.of(System.getProperty("nestlet.packaging", "packaging"))
                                        .resolve(
                                                "containerd/nestlet-containerd-"
                                                        + containerdMajor()
                                                        + ".toml"))
                        .replace(
                                "/usr/local/lib/nestlet/bin/nestlet-runtime",
                                nestlet.resolve("nestlet-runtime").toString());
        node = new KubeNode(dir.path()).toml(handler);
        if (containerdMajor() == 1) {
            node.containerd16();
        }
        daemon = node.nestletd(nestlet, SubIds.pool(nestlet, BASE, BLOCKS * RANGE));
        if (!daemon.runtimeWrapper(nestlet).equals(nestlet.resolve("nestlet-runtime"))) {
            throw new AssertionError("the runtime wrapper is not where the handler names it");
        }
        configure(node);
        node.start();
        daemon.start();
        cri = node.cri();
    }

    @AfterAll
    void stopNode() throws Exception {
        Cleanup.closeAll(cri, daemon, node, dir);
    }

    /**
     * A pod for {@code handler}; {@code userns} null for hostUsers unset, else the kubelet's
     * mapping.
     */
    protected CriClient.Pod pod(String name, String handler, IDMapping userns) throws Exception {
        return CriClient.pod(
                TestDir.unique(name), handler, node.cgroupParent(), dir.resolve("logs"), userns);
    }

    /** The host pid of a container's init, from nestletd's records. */
    protected int pidOf(String containerId) throws Exception {
        for (var row : daemon.ps()) {
            if (row.path("id").asText().equals(containerId)) {
                return row.path("pid").asInt();
            }
        }
        throw new AssertionError(
                "nestletd does not know container " + containerId + ": " + daemon.ps());
    }
}
