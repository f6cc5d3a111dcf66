package dev.nestlet.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PodRefTest {
    @Test
    void containerdSandboxAndContainer() {
        PodRef s =
                PodRef.of(
                                Map.of(
                                        "io.kubernetes.cri.container-type",
                                        "sandbox",
                                        "io.kubernetes.cri.sandbox-id",
                                        "abc",
                                        "io.kubernetes.cri.sandbox-name",
                                        "web",
                                        "io.kubernetes.cri.sandbox-namespace",
                                        "ci"),
                                "abc")
                        .orElseThrow();
        assertEquals(new PodRef(true, "abc", "web", "ci", "containerd"), s);
        assertEquals("ci/web", s.display());
        PodRef c =
                PodRef.of(
                                Map.of(
                                        "io.kubernetes.cri.container-type",
                                        "container",
                                        "io.kubernetes.cri.sandbox-id",
                                        "abc",
                                        "io.kubernetes.cri.sandbox-name",
                                        "web",
                                        "io.kubernetes.cri.sandbox-namespace",
                                        "ci",
                                        "io.kubernetes.cri.container-name",
                                        "runner"),
                                "def")
                        .orElseThrow();
        assertEquals(new PodRef(false, "abc", "web", "ci", "containerd"), c);
    }

    @Test
    void crioSandboxAndContainer() {
        PodRef s =
                PodRef.of(
                                Map.of(
                                        "io.kubernetes.cri-o.ContainerType",
                                        "sandbox",
                                        "io.kubernetes.cri-o.SandboxID",
                                        "s1",
                                        "io.kubernetes.pod.name",
                                        "job",
                                        "io.kubernetes.pod.namespace",
                                        "gitlab"),
                                "s1")
                        .orElseThrow();
        assertEquals(new PodRef(true, "s1", "job", "gitlab", "cri-o"), s);
        PodRef c =
                PodRef.of(
                                Map.of(
                                        "io.kubernetes.cri-o.ContainerType",
                                        "container",
                                        "io.kubernetes.cri-o.SandboxID",
                                        "s1"),
                                "c1")
                        .orElseThrow();
        assertEquals(new PodRef(false, "s1", "", "", "cri-o"), c);
        assertEquals("s1", c.display());
    }

    @Test
    void notAPod() {
        assertTrue(PodRef.of(Map.of("io.nestlet.mode", "system"), "x").isEmpty());
        assertTrue(PodRef.of(Map.of("io.kubernetes.cri.container-type", "weird"), "x").isEmpty());
    }
}
