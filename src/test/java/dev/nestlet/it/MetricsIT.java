package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * nestletctl metrics and the HTTP endpoint (--metrics-listen): Prometheus text of what nestletd did
 * for a real system container.
 */
class MetricsIT extends DaemonTest {
    /** Every family nestletd exports, once each has a sample. */
    private static final List<String> FAMILIES =
            List.of(
                    "nestlet_request_seconds histogram",
                    "nestlet_hook_seconds histogram",
                    "nestlet_prepare_step_seconds histogram",
                    "nestlet_errors_total counter",
                    "nestlet_fuse_request_seconds histogram",
                    "nestlet_seccomp_notifications_total counter",
                    "nestlet_containers gauge",
                    "nestlet_pods gauge",
                    "nestlet_id_ranges_in_use gauge",
                    "nestlet_id_ranges_free gauge",
                    "nestlet_seccomp_listeners gauge",
                    "nestlet_kept_fds gauge");

    private int port;

    @Override
    protected String name() {
        return "metrics";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        List<String> args = new ArrayList<>(List.of(SubIds.pool(testDir, 6_500_000, 2 * 65536)));
        args.add("--metrics-listen=127.0.0.1:" + port);
        return args.toArray(String[]::new);
    }

    @Test
    void metricsCountHooksFuseReadsSeccompCallsAndKeptFds() throws Exception {
        try (Container c = started("metrics")) {
            c.exec("cat", "/proc/meminfo").ok();
            c.exec("sh", "-c", "mount -t tmpfs t /x && umount /x").ok();
            String text = daemon.ctl("metrics").ok().out();
            assertEquals(1.0, value(text, "nestlet_containers"), text);
            assertEquals(1.0, value(text, "nestlet_id_ranges_in_use"), text);
            assertEquals(1.0, value(text, "nestlet_id_ranges_free"), text);
            assertTrue(value(text, "nestlet_request_seconds_count{op=\"prepare\"}") >= 1, text);
            assertTrue(
                    value(
                                    text,
                                    "nestlet_hook_seconds_count{action=\"registered\",stage=\"createRuntime\"}")
                            >= 1,
                    text);
            assertTrue(
                    value(
                                    text,
                                    "nestlet_fuse_request_seconds_count{file=\"/proc/meminfo\",op=\"read\"}")
                            >= 1,
                    text);
            assertTrue(
                    value(
                                    text,
                                    "nestlet_seccomp_notifications_total{call=\"mount\",outcome=\"continue\"}")
                            >= 1,
                    text);
            assertTrue(value(text, "nestlet_seccomp_listeners") >= 1, text);
            assertTrue(
                    value(text, "nestlet_kept_fds") >= 3,
                    "the FUSE fds and the init's listener: " + text);
            c.kill();
            c.delete().ok();
        }
        String after = daemon.ctl("metrics").ok().out();
        assertEquals(0.0, value(after, "nestlet_containers"), after);
    }

    @Test
    void endpointServesEveryFamilyOverLoopbackAndTheValuesMoveWithAContainer() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String before = scrape(http);
        try (Container c = started("scraped")) {
            c.exec("cat", "/proc/meminfo", "/proc/uptime").ok();
            c.exec("sh", "-c", "mount -t tmpfs t /x && umount /x").ok();
            assertEquals(1, daemon.ctl("inspect", "no-such-container").exit());
            String during = scrape(http);
            for (String family : FAMILIES) {
                assertTrue(during.contains("\n# TYPE " + family + "\n"), family + " in " + during);
            }
            assertEquals(1.0, value(during, "nestlet_containers"), during);
            assertEquals(0.0, value(during, "nestlet_pods"), during);
            for (String series :
                    List.of(
                            "nestlet_request_seconds_count{op=\"prepare\"}",
                            "nestlet_hook_seconds_count{action=\"registered\",stage=\"createRuntime\"}",
                            "nestlet_prepare_step_seconds_count{step=\"ids\"}",
                            "nestlet_prepare_step_seconds_count{step=\"shift\"}",
                            "nestlet_prepare_step_seconds_count{step=\"datadirs\"}",
                            "nestlet_prepare_step_seconds_count{step=\"config\"}",
                            "nestlet_prepare_step_seconds_count{step=\"write\"}",
                            "nestlet_fuse_request_seconds_count{file=\"/proc/meminfo\",op=\"read\"}",
                            "nestlet_fuse_request_seconds_count{file=\"/proc/uptime\",op=\"open\"}",
                            "nestlet_errors_total{code=\"not_found\"}")) {
                assertEquals(
                        valueOrZero(before, series) + 1,
                        value(during, series),
                        0.0,
                        series + " moves by one:\n" + during);
            }
            assertTrue(
                    value(
                                    during,
                                    "nestlet_seccomp_notifications_total{call=\"mount\",outcome=\"continue\"}")
                            > valueOrZero(
                                    before,
                                    "nestlet_seccomp_notifications_total{call=\"mount\",outcome=\"continue\"}"),
                    during);
            String ctl = daemon.ctl("metrics").ok().out();
            for (String family : FAMILIES) {
                assertTrue(ctl.contains("\n# TYPE " + family + "\n"), family + " in " + ctl);
            }
            c.kill();
            c.delete().ok();
        }
        daemon.awaitAllReleased();
        String after = scrape(http);
        assertEquals(0.0, value(after, "nestlet_containers"), after);
        assertEquals(0.0, value(after, "nestlet_id_ranges_in_use"), after);
    }

    /** A busybox system container through the shim and runc, with /x to mount on, running. */
    private Container started(String name) throws Exception {
        String id = TestDir.unique(name);
        Path bundle = dir.resolve(id);
        Path rootfs = Rootfs.busybox(bundle.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("x"));
        new Spec(rootfs, "sleep", "300").writeTo(bundle);
        Container c = Container.viaShim(OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, id);
        try {
            c.startDetached();
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    private String scrape(HttpClient http) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(
                "text/plain; version=0.0.4; charset=utf-8",
                r.headers().firstValue("Content-Type").orElse(""));
        return r.body();
    }

    private static double valueOrZero(String text, String series) {
        return text.contains("\n" + series + " ") ? value(text, series) : 0;
    }

    private static double value(String text, String series) {
        Matcher m =
                Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
                        .matcher(text);
        assertTrue(m.find(), series + " not in:\n" + text);
        return Double.parseDouble(m.group(1));
    }
}
