package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Daemon;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.Mounts;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 100 nestlet-hook calls at once, for 100 stand-in containers (each a process in a mount namespace
 * of its own, as a runtime's init is at createRuntime): every call succeeds, then 100 poststops
 * release everything.
 */
class ParallelHooksIT {
    private static final int N = 100;

    @Test
    void hundredHooksInParallel() throws Exception {
        Root.require();
        List<Process> inits = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(N);
        try (TestDir dir = new TestDir("parallel");
                Daemon daemon = new Daemon(dir.path()).start()) {
            Path bundle = dir.resolve("bundle");
            new Spec(Rootfs.busybox(bundle.resolve("rootfs")), "true").system().writeTo(bundle);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                inits.add(
                        new ProcessBuilder(
                                        "unshare", "-m", "--propagation", "private", "sleep", "300")
                                .start());
                ids.add(TestDir.unique("par" + i));
            }
            Thread.sleep(300); // let each unshare exec sleep in its new namespace

            List<Future<Cmd.Result>> created = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                String state = state(ids.get(i), inits.get(i).pid(), bundle);
                created.add(pool.submit(() -> hook(daemon, "createRuntime", state)));
            }
            for (Future<Cmd.Result> f : created) {
                f.get(120, TimeUnit.SECONDS).ok();
            }
            assertEquals(N, daemon.ps().size(), "all registered");

            // A runtime runs poststop once the init is gone (nestletd defers a poststop of a live
            // init).
            for (Process p : inits) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            List<Future<Cmd.Result>> stopped = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                String state = state(ids.get(i), 0, bundle);
                stopped.add(pool.submit(() -> hook(daemon, "poststop", state)));
            }
            for (Future<Cmd.Result> f : stopped) {
                f.get(120, TimeUnit.SECONDS).ok();
            }
            assertEquals(0, daemon.ps().size(), "all released");
            Path data = daemon.stateDir().resolve("data");
            try (var s = Files.list(data)) {
                assertEquals(List.of(), s.toList(), "no data dir left");
            }
            assertEquals(List.of(), Mounts.mentioning(data.toString()));
            assertFalse(daemon.log().contains("SEVERE"), daemon.log());
        } finally {
            pool.shutdownNow();
            for (Process p : inits) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static String state(String id, long pid, Path bundle) {
        return "{\"ociVersion\":\"1.0.2\",\"id\":\""
                + id
                + "\",\"status\":\"creating\",\"pid\":"
                + pid
                + ",\"bundle\":\""
                + bundle
                + "\",\"annotations\":{\"io.nestlet.mode\":\"system\"}}";
    }

    private static Cmd.Result hook(Daemon daemon, String stage, String state) {
        return Cmd.of(
                        Dist.bin("nestlet-hook").toString(),
                        "--socket",
                        daemon.socket().toString(),
                        stage)
                .stdin(state)
                .timeout(120)
                .run();
    }
}
