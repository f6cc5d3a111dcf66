package dev.nestlet.it;

import dev.nestlet.it.support.CriClient;
import dev.nestlet.it.support.KubeNode;
import dev.nestlet.it.support.KubeTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The benchmark of bench/kube-pods.sh (runs only with -Dnestlet.bench.kube=true): RunPodSandbox +
 * CreateContainer + StartContainer of a one-container pod (busybox sleep) through the nestlet
 * handler and the plain runc handler, the same client, interleaved (the order alternates each
 * round); deletion is not timed. Writes a Markdown table to target/kube-pod-start.md.
 */
@EnabledIfSystemProperty(named = "nestlet.bench.kube", matches = "true")
class KubePodStartBenchIT extends KubeTest {
    @Override
    protected String name() {
        return "kube-bench";
    }

    private long startPod(String handler, List<String> pods) throws Exception {
        CriClient.Pod pod = pod("b-" + handler, handler, null);
        long t0 = System.nanoTime();
        CriClient.Started started = cri.startPod(pod, KubeNode.BUSYBOX, List.of("sleep", "3600"));
        long took = System.nanoTime() - t0;
        pods.add(started.podId());
        return took;
    }

    @Test
    void podStart() throws Exception {
        int rounds = Integer.getInteger("nestlet.bench.rounds", 20);
        Map<String, List<Long>> times = new LinkedHashMap<>();
        times.put("runc", new ArrayList<>());
        times.put("nestlet", new ArrayList<>());
        List<String> pods = new ArrayList<>();
        try {
            for (String h : List.of("runc", "nestlet")) { // warm-up, not counted
                startPod(h, pods);
            }
            for (int i = 0; i < rounds; i++) {
                List<String> order =
                        i % 2 == 0 ? List.of("runc", "nestlet") : List.of("nestlet", "runc");
                for (String h : order) {
                    times.get(h).add(startPod(h, pods));
                }
                for (String p : pods) {
                    cri.deletePod(p);
                }
                pods.clear();
            }
        } finally {
            for (String p : pods) {
                cri.deletePod(p);
            }
        }
        StringBuilder md =
                new StringBuilder(
                        "| handler | runs | median ms | p90 ms | max ms | median vs runc |\n"
                                + "|---|---|---|---|---|---|\n");
        double base = pct(times.get("runc"), 50);
        for (var e : times.entrySet()) {
            md.append(
                    String.format(
                            "| %s | %d | %.1f | %.1f | %.1f | %.2f |%n",
                            e.getKey(),
                            e.getValue().size(),
                            pct(e.getValue(), 50),
                            pct(e.getValue(), 90),
                            pct(e.getValue(), 100),
                            pct(e.getValue(), 50) / base));
        }
        Path out = Path.of("target/kube-pod-start.md");
        Files.writeString(out, md.toString());
        // nestletd's own timings (prepare, createRuntime features, the pod network move), for the
        // breakdown.
        Files.writeString(Path.of("target/kube-pod-start-nestletd.log"), daemon.log());
        System.out.print(md);
        daemon.awaitAllReleased();
    }

    /** Nearest-rank percentile in milliseconds. */
    private static double pct(List<Long> nanos, int p) {
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        int idx = Math.max(0, (int) Math.ceil(p / 100.0 * s.size()) - 1);
        return s.get(idx) / 1e6;
    }
}
