package dev.nestlet.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.metrics.NestletMetrics;
import dev.nestlet.sys.Errno;
import dev.nestlet.sys.SysException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class NamespaceWorkersTest {
    /**
     * No worker runs (none started), so the owner's first task waits ready and its second in its
     * queue of one: the third fails at once with EAGAIN, counted, and the waiting ones time out.
     */
    @Test
    void anOwnerBeyondItsQueueIsRefusedWithEagainAtOnce() throws Exception {
        try (NamespaceWorkers workers = new NamespaceWorkers(0, 3000, 1)) {
            CompletableFuture<Object> first = waiting(workers);
            CompletableFuture<Object> second = waiting(workers);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (workers.queued("c1") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5); // until one of them sits in c1's queue
            }
            assertEquals(1, workers.queued("c1"));
            double before = NestletMetrics.REFUSALS.labelValues("ns_worker_queue").get();
            Errno.describe(Errno.EAGAIN); // loaded before the clock runs: a refusal is no wait
            long t0 = System.nanoTime();
            SysException e =
                    assertThrows(
                            SysException.class,
                            () -> workers.inMountNamespace("c1", null, () -> "never"));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(tookMs < 1000, "refused after " + tookMs + " ms, not at once");
            assertEquals(Errno.EAGAIN, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("c1"), e.getMessage());
            assertEquals(before + 1, NestletMetrics.REFUSALS.labelValues("ns_worker_queue").get());
            Throwable late = assertThrows(Exception.class, () -> first.get(10, TimeUnit.SECONDS));
            assertTrue(late.getCause() instanceof TimeoutException, late.toString());
            assertThrows(Exception.class, () -> second.get(10, TimeUnit.SECONDS));
        }
    }

    private static CompletableFuture<Object> waiting(NamespaceWorkers workers) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return workers.inMountNamespace("c1", null, () -> "never");
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
    }
}
