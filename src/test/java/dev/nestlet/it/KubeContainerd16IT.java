package dev.nestlet.it;

/**
 * {@link KubePodsIT} on Debian 12's containerd 1.6 (its CRI plugin is io.containerd.grpc.v1.cri,
 * the handler from packaging/containerd/nestlet-containerd-1.toml): runc and nestlet pods, the pod
 * IP, cleanup, parallel pods. The hostUsers: false tests are skipped: containerd 1.6 has no user
 * namespaces for pods.
 */
class KubeContainerd16IT extends KubePodsIT {
    @Override
    protected String name() {
        return "kube16";
    }

    @Override
    protected int containerdMajor() {
        return 1;
    }
}
