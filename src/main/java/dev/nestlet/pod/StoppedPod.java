package dev.nestlet.pod;

/**
 * A stopped pod whose range is held.
 *
 * @param sandboxId the pod's sandbox, which holds the range in the id journal
 * @param pod "namespace/name"
 * @param removedWith the directory whose removal means the pod is removed
 * @param stopped when its sandbox stopped
 */
public record StoppedPod(String sandboxId, String pod, String removedWith, String stopped) {}
