package dev.nestlet.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.logging.Logger;

/**
 * The optional HTTP endpoint ({@code nestletd --metrics-listen}): the Prometheus client's own
 * server over {@link NestletMetrics#REGISTRY}, so a scrape over HTTP returns what {@code nestletctl
 * metrics} prints, at {@code /metrics} (and {@code /-/healthy}). Its threads are daemon threads
 * that come with scrapes.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MetricsEndpoint.class.getName());

    private final HTTPServer server;

    private MetricsEndpoint(HTTPServer server) {
        this.server = server;
    }

    /**
     * Listens on {@code at}; a non-loopback address is logged as a warning, since anyone who can
     * reach it reads the metrics. A port in use fails with a message that names the address.
     */
    public static MetricsEndpoint start(ListenAddress at) {
        if (!at.loopback()) {
            LOG.warning(
                    "metrics are served on "
                            + at.text()
                            + ", not a loopback address: whoever reaches it reads them");
        }
        try {
            HTTPServer s =
                    HTTPServer.builder()
                            .inetAddress(at.address())
                            .port(at.port())
                            .registry(NestletMetrics.REGISTRY)
                            .buildAndStart();
            LOG.info("metrics served at http://" + at.text() + "/metrics");
            return new MetricsEndpoint(s);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve metrics on " + at.text() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
