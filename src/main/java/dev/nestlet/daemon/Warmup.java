package dev.nestlet.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.api.Dispatcher;
import dev.nestlet.api.Peer;
import dev.nestlet.idmap.IdAllocator;
import dev.nestlet.idmap.IdRange;
import dev.nestlet.prepare.SpecEditor;
import dev.nestlet.shift.UserNamespaces;
import dev.nestlet.state.ContainerRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Logger;

/**
 * Runs the request path once (read-only requests and a hook that nestletd ignores: nothing of a
 * real container is touched), so that the first container does not pay for class loading and
 * compilation (measured: 117 ms for the first prepare, 4 ms for the next), and makes the user
 * namespace of the first free id range ahead of time. It runs on a thread of its own once the
 * socket serves, so that nestletd is ready at once; it holds no lock a request needs (the user
 * namespace cache does not lock while a namespace is made), so a container that comes meanwhile
 * only shares the CPU with it.
 */
final class Warmup {
    private static final Logger LOG = Logger.getLogger(Warmup.class.getName());

    private Warmup() {}

    static void start(
            Dispatcher dispatcher,
            ObjectMapper json,
            IdAllocator allocator,
            UserNamespaces userns) {
        Thread t = new Thread(() -> run(dispatcher, json, allocator, userns), "warmup");
        t.setDaemon(true);
        t.start();
    }

    private static void run(
            Dispatcher dispatcher,
            ObjectMapper json,
            IdAllocator allocator,
            UserNamespaces userns) {
        long t0 = System.nanoTime();
        Peer self = new Peer((int) ProcessHandle.current().pid(), 0, 0);
        for (String req :
                List.of(
                        "{\"v\":1,\"op\":\"version\"}",
                        "{\"v\":1,\"op\":\"ps\"}",
                        "{\"v\":1,\"op\":\"inspect\",\"id\":\"warmup\"}",
                        // A hook of a container that is not a system container (no
                        // io.nestlet.mode): decoded and
                        // dispatched like any hook, answered "ignored" before the registry is
                        // looked at, so
                        // no container, whatever its id, is touched by the warm-up.
                        "{\"v\":1,\"op\":\"hook\",\"stage\":\"poststop\",\"state\":{\"id\":\"warmup\",\"pid\":0,"
                                + "\"bundle\":\"/\",\"annotations\":{}}}",
                        "{\"v\":1,")) {
            dispatcher.handle(req.getBytes(StandardCharsets.UTF_8), self);
        }
        try {
            ObjectNode cfg = json.createObjectNode();
            cfg.putObject("root").put("path", "/");
            IdRange range =
                    allocator.free().isEmpty() ? new IdRange(0, 0, 1) : allocator.free().get(0);
            SpecEditor.setUserNamespace(cfg, range);
            SpecEditor.fullCapabilities(cfg);
            SpecEditor.markSystem(cfg);
            json.writeValueAsBytes(cfg);
            json.writeValueAsBytes(
                    ContainerRecord.prepared("warmup", "/", "/", "runc", null, "now")
                            .withIdRange(range, false));
            if (!allocator.free().isEmpty()) {
                userns.withMapping(range);
            }
        } catch (Exception e) {
            LOG.fine("warm-up: " + e);
        }
        LOG.info("warm-up done in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
