package dev.nestlet.it.support;

import java.nio.file.Path;

/**
 * The roots the integration tests build once per test JVM and share: each one a network-bound
 * debootstrap plus apt (deb.debian.org) of one to two minutes, which {@link RootBuilds} starts in
 * the background when the run begins.
 */
public enum SharedRoot {
    /** {@link KubeNode#nodeRoot()}: Debian sid with containerd 2.x, runc, crun, CNI. */
    KUBE_NODE {
        @Override
        Path build() throws Exception {
            return KubeNode.nodeRoot();
        }
    },
    /** {@link DindImage#rootfs()}, built on a copy of {@link #MINBASE}. */
    DIND {
        @Override
        Path build() throws Exception {
            return DindImage.rootfs();
        }
    },
    /** {@link DebianMinbase#bookworm()}. */
    MINBASE {
        @Override
        Path build() throws Exception {
            return DebianMinbase.bookworm();
        }
    };

    /** The root, built by this call or by an earlier one (the owners' getters are once-only). */
    abstract Path build() throws Exception;
}
