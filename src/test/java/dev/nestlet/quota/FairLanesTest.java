package dev.nestlet.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nestlet.quota.FairLanes.Admission;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FairLanesTest {
    @Test
    void anOwnerAtItsCapQueuesWhileAnotherRunsAtOnce() {
        FairLanes<String> lanes = new FairLanes<>(1, 10);
        assertEquals(Admission.RUN, lanes.offer("a", () -> "a1"));
        assertEquals(Admission.QUEUED, lanes.offer("a", () -> "a2"));
        assertEquals(Admission.QUEUED, lanes.offer("a", () -> "a3"));
        assertEquals(Admission.RUN, lanes.offer("b", () -> "b1"), "b never waits behind a");
        assertEquals(2, lanes.queued("a"));
        assertEquals("a2", lanes.done("a"), "the finisher takes a's next, in order");
        assertEquals("a3", lanes.done("a"));
        assertEquals(1, lanes.inFlight("a"));
        assertNull(lanes.done("a"));
        assertEquals(0, lanes.inFlight("a"));
        assertNull(lanes.done("b"));
    }

    @Test
    void aFullQueueRefusesAndWhatRunsIsNeverAskedFor() {
        FairLanes<String> lanes = new FairLanes<>(2, 1);
        List<String> asked = new ArrayList<>();
        assertEquals(Admission.RUN, lanes.offer("a", () -> asked.add("1") ? "1" : ""));
        assertEquals(Admission.RUN, lanes.offer("a", () -> asked.add("2") ? "2" : ""));
        assertEquals(Admission.QUEUED, lanes.offer("a", () -> asked.add("3") ? "3" : ""));
        assertEquals(Admission.REFUSED, lanes.offer("a", () -> asked.add("4") ? "4" : ""));
        assertEquals(List.of("3"), asked);
        assertThrows(IllegalStateException.class, () -> lanes.done("nobody"));
    }

    /**
     * Threads offering and finishing concurrently, as FuseServer's readers do: every item is served
     * exactly once, an owner never has more than its cap in flight, and nothing is left queued.
     */
    @Test
    void concurrentOffersAndDonesServeEveryItemOnceWithinTheCap() throws Exception {
        int cap = 2;
        FairLanes<Integer> lanes = new FairLanes<>(cap, Integer.MAX_VALUE);
        ConcurrentHashMap<String, AtomicInteger> serving = new ConcurrentHashMap<>();
        AtomicInteger served = new AtomicInteger();
        AtomicInteger overCap = new AtomicInteger();
        int threads = 4;
        int perThread = 5000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            pool.execute(
                    () -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        for (int i = 0; i < perThread; i++) {
                            String owner = "c" + (i % 3);
                            int item = base + i;
                            if (lanes.offer(owner, () -> item) != Admission.RUN) {
                                continue;
                            }
                            for (Integer next = item; next != null; next = lanes.done(owner)) {
                                AtomicInteger now =
                                        serving.computeIfAbsent(owner, k -> new AtomicInteger());
                                if (now.incrementAndGet() > cap) {
                                    overCap.incrementAndGet();
                                }
                                served.incrementAndGet();
                                now.decrementAndGet();
                            }
                        }
                    });
        }
        start.countDown();
        pool.shutdown();
        assertEquals(true, pool.awaitTermination(60, TimeUnit.SECONDS));
        assertEquals(threads * perThread, served.get());
        assertEquals(0, overCap.get());
        for (String owner : List.of("c0", "c1", "c2")) {
            assertEquals(0, lanes.queued(owner));
            assertEquals(0, lanes.inFlight(owner));
        }
    }
}
