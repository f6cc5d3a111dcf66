package dev.nestlet.lifecycle;

import dev.nestlet.ns.NamespaceTask;
import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.oci.BundleConfig;
import dev.nestlet.sys.Fd;
import java.nio.file.Path;

/**
 * What a feature may use to reach a live container during a hook. Its work in the container's
 * namespaces counts as the container's own ({@code id}) in the namespace workers' fair shares.
 */
public final class ContainerAccess {
    private final String id;
    private final Fd pidfd;
    private final NamespaceWorkers workers;
    private final BundleConfig config;
    private final Path rootfs;

    public ContainerAccess(
            String id, Fd pidfd, NamespaceWorkers workers, BundleConfig config, Path rootfs) {
        this.id = id;
        this.pidfd = pidfd;
        this.workers = workers;
        this.config = config;
        this.rootfs = rootfs;
    }

    /**
     * Runs {@code task} in the container's mount namespace (before pivot_root: rootfs is at {@link
     * #rootfs()}).
     */
    public <T> T inMountNamespace(NamespaceTask<T> task) throws Exception {
        return workers.inMountNamespace(id, pidfd, task);
    }

    /**
     * Runs {@code task} in the container's mount and network namespaces (for paths under
     * /proc/sys/net).
     */
    public <T> T inMountAndNetworkNamespaces(NamespaceTask<T> task) throws Exception {
        return workers.inMountAndNetworkNamespaces(id, pidfd, task);
    }

    public Fd pidfd() {
        return pidfd;
    }

    public BundleConfig config() {
        return config;
    }

    public Path rootfs() {
        return rootfs;
    }
}
