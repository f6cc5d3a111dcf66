package dev.nestlet.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.idmap.IdRange;
import dev.nestlet.state.ContainerRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoppedPodsTest {
    @TempDir Path state;
    @TempDir Path containerd;

    private static final IdRange RANGE = new IdRange(7_000_000, 7_000_000, 65536);

    /** A record as nestletd keeps it for a container of pod ci/runner. */
    private static ContainerRecord record(
            String id, String type, String removedWith, boolean adopted) {
        Map<String, String> a = new HashMap<>();
        a.put(PodRef.CONTAINERD_TYPE, type);
        a.put(PodRef.CONTAINERD_SANDBOX_ID, "sb1");
        a.put(PodRef.CONTAINERD_POD_NAME, "runner");
        a.put(PodRef.CONTAINERD_POD_NAMESPACE, "ci");
        if (removedWith != null) {
            a.put(PodSpec.REMOVED_WITH, removedWith);
        }
        return ContainerRecord.prepared(id, "/b/" + id, "/b/" + id + "/rootfs", "runc", null, "t")
                .withIdRange(RANGE, adopted)
                .withAnnotations(a);
    }

    @Test
    void aStoppedSandboxHoldsItsRangeUntilItsDirectoryIsGoneAcrossARestart() throws Exception {
        Path sandboxDir = Files.createDirectories(containerd.resolve("sandboxes/sb1"));
        StoppedPods pods = new StoppedPods(state);
        assertTrue(pods.holdAtStop(record("sb1", "sandbox", sandboxDir.toString(), false)));
        assertTrue(pods.held("sb1"));
        assertEquals(Set.of("sb1"), pods.ids());
        StoppedPod p = pods.all().get(0);
        assertEquals("ci/runner", p.pod());
        assertEquals(sandboxDir.toString(), p.removedWith());

        StoppedPods restarted = new StoppedPods(state); // what a new nestletd reads
        assertTrue(restarted.held("sb1"), "still held after a restart");
        Files.delete(sandboxDir); // RemovePodSandbox
        assertFalse(restarted.held("sb1"), "released once the pod is removed");
        assertEquals(Set.of("sb1"), restarted.ids(), "kept until the range is freed");
        restarted.forget("sb1");
        assertEquals(Set.of(), restarted.ids());
        assertEquals(List.of(), restarted.all());
        restarted.forget("sb1"); // twice is harmless
    }

    @Test
    void otherwiseTheRangeGoesAtTheStop() throws Exception {
        Path sandboxDir = Files.createDirectories(containerd.resolve("sandboxes/sb1"));
        StoppedPods pods = new StoppedPods(state);
        assertFalse(
                pods.holdAtStop(record("c1", "container", sandboxDir.toString(), false)),
                "a pod's other containers hold no range");
        assertFalse(
                pods.holdAtStop(record("sb1", "sandbox", sandboxDir.toString(), true)),
                "the kubelet's own mapping is the kubelet's to hand out again");
        assertFalse(
                pods.holdAtStop(record("sb1", "sandbox", null, false)),
                "a runtime whose layout nestlet does not know (CRI-O, a hand-made pod)");
        assertFalse(
                pods.holdAtStop(
                        record("sb1", "sandbox", containerd.resolve("gone").toString(), false)),
                "already removed");
        assertFalse(
                pods.holdAtStop(
                        ContainerRecord.prepared("lone", "/b", "/b/rootfs", "runc", null, "t")
                                .withIdRange(RANGE, false)),
                "no pod");
        assertEquals(Set.of(), pods.ids());
        assertFalse(pods.held("sb1"));
    }
}
