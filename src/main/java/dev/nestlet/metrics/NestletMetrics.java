package dev.nestlet.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.DoubleSupplier;

/**
 * nestletd's own metrics, in one registry of the Prometheus Java client, exposed as Prometheus text
 * by the read-only {@code metrics} operation ({@code nestletctl metrics}). The instruments are
 * static so that each part records with one call and no wiring; gauges read their value at scrape
 * time from what {@link #gauge} was given.
 */
public final class NestletMetrics {
    public static final PrometheusRegistry REGISTRY = new PrometheusRegistry();

    /** Every request on the API socket, by operation: prepare and hook latency among them. */
    public static final Histogram REQUESTS =
            Histogram.builder()
                    .name("nestlet_request_seconds")
                    .help("API requests by operation, from decoding to the answer")
                    .labelNames("op")
                    .classicOnly()
                    .classicUpperBounds(
                            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
                            30)
                    .register(REGISTRY);

    /** Hook requests by OCI stage and what nestletd did. */
    public static final Histogram HOOKS =
            Histogram.builder()
                    .name("nestlet_hook_seconds")
                    .help("hook requests by stage and action")
                    .labelNames("stage", "action")
                    .classicOnly()
                    .classicUpperBounds(
                            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                    .register(REGISTRY);

    /** The steps of prepare (nestlet-runtime's rewrite of config.json), each timed. */
    public static final Histogram PREPARE_STEPS =
            Histogram.builder()
                    .name("nestlet_prepare_step_seconds")
                    .help("prepare by step: ids, shift, datadirs, config, write")
                    .labelNames("step")
                    .classicOnly()
                    .classicUpperBounds(
                            0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                            0.25, 0.5, 1, 2.5, 5, 10, 30)
                    .register(REGISTRY);

    /** Failed requests by wire error code. */
    public static final Counter ERRORS =
            Counter.builder()
                    .name("nestlet_errors_total")
                    .help("failed API requests by error code")
                    .labelNames("code")
                    .register(REGISTRY);

    /**
     * FUSE requests by opcode name and virtual file (its path inside a container: a few dozen, the
     * same in every container), and how long they took to answer.
     */
    public static final Histogram FUSE =
            Histogram.builder()
                    .name("nestlet_fuse_request_seconds")
                    .help("FUSE requests by opcode and file, read to reply")
                    .labelNames("op", "file")
                    .classicOnly()
                    .classicUpperBounds(
                            0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                            0.01, 0.1)
                    .register(REGISTRY);

    /** Seccomp notifications by system call and outcome (continue, done, fail, gone). */
    public static final Counter SECCOMP =
            Counter.builder()
                    .name("nestlet_seccomp_notifications_total")
                    .help("seccomp notifications by call and outcome")
                    .labelNames("call", "outcome")
                    .register(REGISTRY);

    /**
     * Proc contexts the seccomp agent opened for an emulated mount, by how: "pidns" (fsconfig,
     * Linux 6.18) or "helper" (nestlet-procfs in the caller's pid namespace).
     */
    public static final Counter PROC_CONTEXTS =
            Counter.builder()
                    .name("nestlet_proc_contexts_total")
                    .help("proc contexts opened for emulated proc mounts, by how")
                    .labelNames("how")
                    .register(REGISTRY);

    /**
     * Work refused to keep one container from starving the others or nestletd from running out of
     * heap, by resource: "vfs_open_files" (a container's open virtual files), "vfs_snapshot_bytes"
     * (the global budget of open snapshots), "seccomp_queue" (a container's queued notifications),
     * "ns_worker_queue" (a container's tasks waiting for a namespace worker).
     */
    public static final Counter REFUSALS =
            Counter.builder()
                    .name("nestlet_containment_refusals_total")
                    .help("requests refused by a per-container cap or a global budget, by resource")
                    .labelNames("resource")
                    .register(REGISTRY);

    /**
     * Seconds FUSE requests of a container waited because it had used its budget of nestletd's CPU
     * ({@code --container-cpu-budget}), by container id; a removed container's series goes with it.
     */
    public static final Counter VFS_DEFERRED =
            Counter.builder()
                    .name("nestlet_vfs_deferred_seconds_total")
                    .help(
                            "time FUSE requests waited for their container's CPU budget, by"
                                    + " container")
                    .labelNames("container")
                    .register(REGISTRY);

    /**
     * How long tasks waited for a namespace worker (emulated mounts, per-network-namespace virtual
     * files, hooks' work inside a container), from submission to start.
     */
    public static final Histogram NS_WORKER_WAIT =
            Histogram.builder()
                    .name("nestlet_ns_worker_wait_seconds")
                    .help("time tasks waited for a namespace worker, submission to start")
                    .classicOnly()
                    .classicUpperBounds(
                            0.00001, 0.0001, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                            0.5, 1, 2.5, 10)
                    .register(REGISTRY);

    private NestletMetrics() {}

    /** Registers a gauge read at scrape time. */
    public static void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .callback(cb -> cb.call(value.getAsDouble()))
                .register(REGISTRY);
    }

    /** Everything, in the Prometheus text format (0.0.4). */
    public static String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, REGISTRY.scrape());
        } catch (IOException e) {
            throw new IllegalStateException("cannot write metrics", e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Seconds since {@code startNanos} (System.nanoTime). */
    public static double since(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
