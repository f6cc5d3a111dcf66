package dev.nestlet.it.support;

import dev.nestlet.it.cri.v1.ContainerConfig;
import dev.nestlet.it.cri.v1.ContainerMetadata;
import dev.nestlet.it.cri.v1.ContainerStatus;
import dev.nestlet.it.cri.v1.ContainerStatusRequest;
import dev.nestlet.it.cri.v1.CreateContainerRequest;
import dev.nestlet.it.cri.v1.DNSConfig;
import dev.nestlet.it.cri.v1.ExecSyncRequest;
import dev.nestlet.it.cri.v1.ExecSyncResponse;
import dev.nestlet.it.cri.v1.IDMapping;
import dev.nestlet.it.cri.v1.ImageSpec;
import dev.nestlet.it.cri.v1.KeyValue;
import dev.nestlet.it.cri.v1.LinuxContainerConfig;
import dev.nestlet.it.cri.v1.LinuxContainerSecurityContext;
import dev.nestlet.it.cri.v1.LinuxPodSandboxConfig;
import dev.nestlet.it.cri.v1.LinuxSandboxSecurityContext;
import dev.nestlet.it.cri.v1.ListContainersRequest;
import dev.nestlet.it.cri.v1.Mount;
import dev.nestlet.it.cri.v1.NamespaceMode;
import dev.nestlet.it.cri.v1.NamespaceOption;
import dev.nestlet.it.cri.v1.PodSandboxConfig;
import dev.nestlet.it.cri.v1.PodSandboxMetadata;
import dev.nestlet.it.cri.v1.PodSandboxStatusRequest;
import dev.nestlet.it.cri.v1.RemoveContainerRequest;
import dev.nestlet.it.cri.v1.RemovePodSandboxRequest;
import dev.nestlet.it.cri.v1.RunPodSandboxRequest;
import dev.nestlet.it.cri.v1.RuntimeServiceGrpc;
import dev.nestlet.it.cri.v1.SecurityProfile;
import dev.nestlet.it.cri.v1.StartContainerRequest;
import dev.nestlet.it.cri.v1.StopContainerRequest;
import dev.nestlet.it.cri.v1.StopPodSandboxRequest;
import dev.nestlet.it.cri.v1.UserNamespace;
import dev.nestlet.it.cri.v1.VersionRequest;
import dev.nestlet.it.cri.v1.VersionResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A kubelet-like client of a CRI runtime (containerd's CRI plugin), speaking the CRI v1 messages of
 * src/test/proto over its unix socket, and sending what the kubelet sends for a pod: metadata, the
 * kubelet's labels, a log directory, DNS config, a cgroup parent, namespace options (network and
 * IPC POD, PID CONTAINER), and for {@code hostUsers: false} user namespace mode POD with the
 * kubelet's mappings; unprivileged containers with the pod's namespace options and seccomp
 * RuntimeDefault (what the kubelet sends with SeccompDefault, or for a pod of the "restricted" Pod
 * Security level).
 */
public final class CriClient implements AutoCloseable {
    private static final long TIMEOUT_S = 120;

    @SuppressWarnings("deprecation") // grpc's shaded netty channel still takes this group type
    private final EpollEventLoopGroup group = new EpollEventLoopGroup(1);

    private final ManagedChannel channel;
    private final RuntimeServiceGrpc.RuntimeServiceBlockingStub stub;

    public CriClient(Path socket) {
        channel =
                NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                        .eventLoopGroup(group)
                        .channelType(EpollDomainSocketChannel.class)
                        .usePlaintext()
                        .maxInboundMessageSize(32 << 20)
                        .build();
        stub = RuntimeServiceGrpc.newBlockingStub(channel);
    }

    private RuntimeServiceGrpc.RuntimeServiceBlockingStub rt() {
        return stub.withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS);
    }

    public VersionResponse version() {
        return rt().version(VersionRequest.newBuilder().setVersion("v1").build());
    }

    /** A pod as the kubelet describes it to the runtime. */
    public record Pod(
            String name,
            String namespace,
            String uid,
            String handler,
            PodSandboxConfig config,
            NamespaceOption namespaces) {
        /** This pod with {@code dns} as its DNS config (containerd writes its resolv.conf). */
        public Pod withDns(DNSConfig dns) {
            return new Pod(
                    name,
                    namespace,
                    uid,
                    handler,
                    config.toBuilder().setDnsConfig(dns).build(),
                    namespaces);
        }
    }

    /**
     * A kubelet-style pod config; {@code logRoot} stands for /var/log/pods.
     *
     * @param userns null for {@code hostUsers} unset or true (mode NODE); else the pod's mappings
     *     (mode POD), like the kubelet's for {@code hostUsers: false}
     */
    public static Pod pod(
            String name, String handler, String cgroupParent, Path logRoot, IDMapping userns)
            throws java.io.IOException {
        String namespace = "default";
        String uid = UUID.randomUUID().toString();
        NamespaceOption.Builder ns =
                NamespaceOption.newBuilder()
                        .setNetwork(NamespaceMode.POD)
                        .setPid(NamespaceMode.CONTAINER)
                        .setIpc(NamespaceMode.POD);
        if (userns == null) {
            ns.setUsernsOptions(UserNamespace.newBuilder().setMode(NamespaceMode.NODE));
        } else {
            ns.setUsernsOptions(
                    UserNamespace.newBuilder()
                            .setMode(NamespaceMode.POD)
                            .addUids(userns)
                            .addGids(userns));
        }
        Path logDir = logRoot.resolve(namespace + "_" + name + "_" + uid);
        Files.createDirectories(logDir);
        Map<String, String> labels =
                Map.of(
                        "io.kubernetes.pod.name",
                        name,
                        "io.kubernetes.pod.namespace",
                        namespace,
                        "io.kubernetes.pod.uid",
                        uid);
        PodSandboxConfig cfg =
                PodSandboxConfig.newBuilder()
                        .setMetadata(
                                PodSandboxMetadata.newBuilder()
                                        .setName(name)
                                        .setNamespace(namespace)
                                        .setUid(uid))
                        .setHostname(name)
                        .setLogDirectory(logDir.toString())
                        .setDnsConfig(
                                DNSConfig.newBuilder()
                                        .addServers("10.96.0.10")
                                        .addSearches(namespace + ".svc.cluster.local")
                                        .addSearches("svc.cluster.local")
                                        .addOptions("ndots:5"))
                        .putAllLabels(labels)
                        .putAnnotations("kubernetes.io/config.source", "api")
                        .putAnnotations(
                                "kubernetes.io/config.seen", java.time.Instant.now().toString())
                        .setLinux(
                                LinuxPodSandboxConfig.newBuilder()
                                        .setCgroupParent(cgroupParent + "/pod" + uid)
                                        .setSecurityContext(
                                                LinuxSandboxSecurityContext.newBuilder()
                                                        .setNamespaceOptions(ns)
                                                        .setSeccomp(
                                                                SecurityProfile.newBuilder()
                                                                        .setProfileType(
                                                                                SecurityProfile
                                                                                        .ProfileType
                                                                                        .RuntimeDefault))))
                        .build();
        return new Pod(name, namespace, uid, handler, cfg, ns.build());
    }

    /** The kubelet's mapping for a {@code hostUsers: false} pod: 65536 ids from {@code base}. */
    public static IDMapping kubeletMapping(long base) {
        return IDMapping.newBuilder()
                .setContainerId(0)
                .setHostId((int) base)
                .setLength(65536)
                .build();
    }

    public String runPodSandbox(Pod pod) {
        return rt().runPodSandbox(
                        RunPodSandboxRequest.newBuilder()
                                .setConfig(pod.config())
                                .setRuntimeHandler(pod.handler())
                                .build())
                .getPodSandboxId();
    }

    public String podIp(String podId) {
        return rt().podSandboxStatus(
                        PodSandboxStatusRequest.newBuilder().setPodSandboxId(podId).build())
                .getStatus()
                .getNetwork()
                .getIp();
    }

    public void stopPodSandbox(String podId) {
        rt().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
    }

    public void removePodSandbox(String podId) {
        rt().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
    }

    /**
     * A container of {@code pod}: image, command, env, host-path mounts ({@code containerPath ->
     * hostPath}).
     */
    public String createContainer(
            String podId,
            Pod pod,
            String name,
            String image,
            List<String> command,
            Map<String, String> env,
            Map<String, Path> mounts) {
        ContainerConfig.Builder c =
                ContainerConfig.newBuilder()
                        .setMetadata(ContainerMetadata.newBuilder().setName(name))
                        .setImage(
                                ImageSpec.newBuilder().setImage(image).setUserSpecifiedImage(image))
                        .addAllCommand(command)
                        .putAllLabels(pod.config().getLabelsMap())
                        .putLabels("io.kubernetes.container.name", name)
                        .putAnnotations("io.kubernetes.container.restartCount", "0")
                        .setLogPath(name + "/0.log")
                        .setLinux(
                                LinuxContainerConfig.newBuilder()
                                        .setSecurityContext(
                                                LinuxContainerSecurityContext.newBuilder()
                                                        .setNamespaceOptions(pod.namespaces())
                                                        .setSeccomp(
                                                                SecurityProfile.newBuilder()
                                                                        .setProfileType(
                                                                                SecurityProfile
                                                                                        .ProfileType
                                                                                        .RuntimeDefault))));
        env.forEach((k, v) -> c.addEnvs(KeyValue.newBuilder().setKey(k).setValue(v)));
        mounts.forEach(
                (in, host) ->
                        c.addMounts(
                                Mount.newBuilder()
                                        .setContainerPath(in)
                                        .setHostPath(host.toString())));
        return rt().createContainer(
                        CreateContainerRequest.newBuilder()
                                .setPodSandboxId(podId)
                                .setConfig(c)
                                .setSandboxConfig(pod.config())
                                .build())
                .getContainerId();
    }

    /** A pod with its one container, both started. */
    public record Started(String podId, String containerId) {}

    /**
     * Runs {@code pod} with one container "main" of {@code image} running {@code command}, as the
     * kubelet starts a pod: RunPodSandbox, CreateContainer, StartContainer.
     */
    public Started startPod(Pod pod, String image, List<String> command) {
        String podId = runPodSandbox(pod);
        String c = createContainer(podId, pod, "main", image, command, Map.of(), Map.of());
        startContainer(c);
        return new Started(podId, c);
    }

    public void startContainer(String id) {
        rt().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
    }

    public void stopContainer(String id, long timeoutSeconds) {
        rt().stopContainer(
                        StopContainerRequest.newBuilder()
                                .setContainerId(id)
                                .setTimeout(timeoutSeconds)
                                .build());
    }

    public void removeContainer(String id) {
        rt().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id).build());
    }

    public ContainerStatus containerStatus(String id) {
        return rt().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build())
                .getStatus();
    }

    public List<dev.nestlet.it.cri.v1.Container> listContainers() {
        return rt().listContainers(ListContainersRequest.getDefaultInstance()).getContainersList();
    }

    /** What ExecSync gave: exit code and both outputs. */
    public record Exec(int exit, String out, String err) {
        public Exec ok() {
            if (exit != 0) {
                throw new AssertionError(
                        "exec exited " + exit + "\nstdout: " + out + "\nstderr: " + err);
            }
            return this;
        }
    }

    public Exec execSync(String id, long timeoutSeconds, String... cmd) {
        ExecSyncResponse r =
                stub.withDeadlineAfter(timeoutSeconds + 30, TimeUnit.SECONDS)
                        .execSync(
                                ExecSyncRequest.newBuilder()
                                        .setContainerId(id)
                                        .addAllCmd(List.of(cmd))
                                        .setTimeout(timeoutSeconds)
                                        .build());
        return new Exec(
                r.getExitCode(),
                r.getStdout().toString(StandardCharsets.UTF_8),
                r.getStderr().toString(StandardCharsets.UTF_8));
    }

    /**
     * Stops and removes a pod as the kubelet does when it is deleted: containers, then the sandbox.
     */
    public void deletePod(String podId) {
        for (var c : listContainers()) {
            if (c.getPodSandboxId().equals(podId)) {
                stopContainer(c.getId(), 0);
                removeContainer(c.getId());
            }
        }
        stopPodSandbox(podId);
        removePodSandbox(podId);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
}
