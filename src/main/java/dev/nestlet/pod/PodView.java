package dev.nestlet.pod;

import dev.nestlet.idmap.IdRange;

/**
 * What {@code nestletctl inspect} shows of the pod a container belongs to.
 *
 * @param pod "namespace/name" (the sandbox id when the runtime did not name the pod)
 * @param sandboxId the pod's sandbox
 * @param sandbox whether this container is that sandbox
 * @param idRange the pod's id range: the sandbox's, which every container of the pod shares
 * @param idRangeAdopted whether it is the kubelet's mapping ({@code hostUsers: false}) rather than
 *     one nestlet handed out
 * @param netns the pod's network namespace as the kernel names it ("net:[INODE]"), null when the
 *     container's init is gone
 * @param netnsOwnedByPod whether the pod's user namespace owns it (nestlet made it so, or the
 *     kubelet's {@code hostUsers: false} did), null when the init is gone
 * @param cniNetns where CNI configured the pod's interfaces when nestlet moved them into a
 *     namespace of the pod's own, else null
 */
public record PodView(
        String pod,
        String sandboxId,
        boolean sandbox,
        IdRange idRange,
        boolean idRangeAdopted,
        String netns,
        Boolean netnsOwnedByPod,
        String cniNetns) {}
