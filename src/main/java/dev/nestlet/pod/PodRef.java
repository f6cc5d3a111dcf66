package dev.nestlet.pod;

import java.util.Map;
import java.util.Optional;

/**
 * Which Kubernetes pod a container belongs to, and whether it is the pod's sandbox, read from the
 * annotations the CRI runtime writes into every container's config.json: containerd's {@code
 * io.kubernetes.cri.*} and CRI-O's {@code io.kubernetes.cri-o.*} (with {@code
 * io.kubernetes.pod.*}). Those are the runtime's own annotations, present whatever the handler's
 * pod_annotations / allowed_annotations pass through.
 *
 * @param sandbox whether this container is the sandbox (pause) of its pod
 * @param sandboxId the pod's sandbox container id (its own id for the sandbox)
 * @param name pod name, or "" when the runtime did not say
 * @param namespace pod namespace, or ""
 * @param engine "containerd" or "cri-o"
 */
public record PodRef(
        boolean sandbox, String sandboxId, String name, String namespace, String engine) {
    public static final String CONTAINERD_TYPE = "io.kubernetes.cri.container-type";
    public static final String CONTAINERD_SANDBOX_ID = "io.kubernetes.cri.sandbox-id";
    public static final String CONTAINERD_POD_NAME = "io.kubernetes.cri.sandbox-name";
    public static final String CONTAINERD_POD_NAMESPACE = "io.kubernetes.cri.sandbox-namespace";
    public static final String CRIO_TYPE = "io.kubernetes.cri-o.ContainerType";
    public static final String CRIO_SANDBOX_ID = "io.kubernetes.cri-o.SandboxID";
    public static final String POD_NAME = "io.kubernetes.pod.name";
    public static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";

    /** The pod of a container with these annotations; empty when it is not a Kubernetes pod's. */
    public static Optional<PodRef> of(Map<String, String> annotations, String containerId) {
        String type = annotations.get(CONTAINERD_TYPE);
        if (type != null) {
            return of(
                    type,
                    annotations.get(CONTAINERD_SANDBOX_ID),
                    containerId,
                    first(annotations, CONTAINERD_POD_NAME, POD_NAME),
                    first(annotations, CONTAINERD_POD_NAMESPACE, POD_NAMESPACE),
                    "containerd");
        }
        type = annotations.get(CRIO_TYPE);
        if (type != null) {
            return of(
                    type,
                    annotations.get(CRIO_SANDBOX_ID),
                    containerId,
                    first(annotations, POD_NAME),
                    first(annotations, POD_NAMESPACE),
                    "cri-o");
        }
        return Optional.empty();
    }

    private static Optional<PodRef> of(
            String type,
            String sandboxId,
            String containerId,
            String name,
            String namespace,
            String engine) {
        boolean sandbox = type.equals("sandbox");
        if (!sandbox && !type.equals("container")) {
            return Optional.empty();
        }
        String sid =
                sandboxId == null || sandboxId.isEmpty() ? (sandbox ? containerId : "") : sandboxId;
        return Optional.of(new PodRef(sandbox, sid, name, namespace, engine));
    }

    private static String first(Map<String, String> a, String... keys) {
        for (String k : keys) {
            String v = a.get(k);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return "";
    }

    /** "namespace/name", or the sandbox id when the runtime did not name the pod. */
    public String display() {
        return name.isEmpty() ? sandboxId : (namespace.isEmpty() ? name : namespace + "/" + name);
    }
}
