package dev.nestlet.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The namespace workers' queue with plain tasks run by plain threads, as the workers run them. */
class FairQueueTest {
    private final List<Thread> workers = new ArrayList<>();

    /** {@code n} threads taking, running and ending tasks, as NamespaceWorkers' threads do. */
    private void serve(FairQueue<Runnable> queue, int n) {
        for (int i = 0; i < n; i++) {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    while (true) {
                                        FairQueue.Turn<Runnable> turn = queue.take();
                                        try {
                                            turn.item().run();
                                        } finally {
                                            queue.done(turn.owner());
                                        }
                                    }
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    @AfterEach
    void stop() {
        workers.forEach(Thread::interrupt);
    }

    private static Runnable sleeping(long millis) {
        return () -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    /**
     * Even where one owner may take every worker (cap = workers), another owner's single task
     * starts as soon as one of the storm's tasks ends: after at most one task's time, not after the
     * storm's 100 (50 per worker, 5 s in one FIFO queue).
     */
    @Test
    void aHundredQueuedTasksDelayAnotherOwnersTaskByAtMostOne() throws Exception {
        long task = 100;
        FairQueue<Runnable> queue = new FairQueue<>(2, 200);
        serve(queue, 2);
        CountDownLatch bothBusy = new CountDownLatch(2);
        AtomicInteger noisyDone = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            assertTrue(
                    queue.offer(
                            "noisy",
                            () -> {
                                bothBusy.countDown();
                                sleeping(task).run();
                                noisyDone.incrementAndGet();
                            }));
        }
        assertTrue(bothBusy.await(5, TimeUnit.SECONDS));
        AtomicLong started = new AtomicLong();
        CountDownLatch ran = new CountDownLatch(1);
        long offered = System.nanoTime();
        assertTrue(
                queue.offer(
                        "quiet",
                        () -> {
                            started.set(System.nanoTime());
                            ran.countDown();
                        }));
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(started.get() - offered);
        assertTrue(
                waitedMs < task + task / 2,
                "quiet waited " + waitedMs + " ms, more than one " + task + " ms task");
        assertTrue(noisyDone.get() <= 4, "it went before the storm: " + noisyDone.get());
    }

    /** With the workers' own cap (all but one), another owner does not wait at all. */
    @Test
    void anOwnerAtItsCapLeavesAWorkerFree() throws Exception {
        FairQueue<Runnable> queue = new FairQueue<>(1, 200);
        serve(queue, 2);
        CountDownLatch busy = new CountDownLatch(1);
        for (int i = 0; i < 50; i++) {
            queue.offer(
                    "noisy",
                    () -> {
                        busy.countDown();
                        sleeping(200).run();
                    });
        }
        assertTrue(busy.await(5, TimeUnit.SECONDS));
        CountDownLatch ran = new CountDownLatch(1);
        long offered = System.nanoTime();
        queue.offer("quiet", ran::countDown);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - offered);
        assertTrue(waitedMs < 100, "quiet waited " + waitedMs + " ms for a 200 ms task");
        assertEquals(49, queue.queued("noisy"), "one runs, the rest wait in its own queue");
    }

    @Test
    void anOwnersTasksStartInTheOrderOffered() throws Exception {
        FairQueue<Runnable> queue = new FairQueue<>(1, 100);
        serve(queue, 3);
        List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            int n = i;
            assertTrue(
                    queue.offer(
                            "a",
                            () -> {
                                order.add(n);
                                all.countDown();
                            }));
            queue.offer("b", sleeping(1)); // another owner's work interleaved
        }
        assertTrue(all.await(10, TimeUnit.SECONDS));
        assertEquals(java.util.stream.IntStream.range(0, 50).boxed().toList(), order);
    }

    @Test
    void anOwnerNeverHasMoreThanItsCapRunning() throws Exception {
        FairQueue<Runnable> queue = new FairQueue<>(2, 100);
        serve(queue, 4);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(30);
        for (int i = 0; i < 30; i++) {
            queue.offer(
                    "a",
                    () -> {
                        most.accumulateAndGet(running.incrementAndGet(), Math::max);
                        sleeping(10).run();
                        running.decrementAndGet();
                        all.countDown();
                    });
        }
        assertTrue(all.await(10, TimeUnit.SECONDS));
        assertEquals(2, most.get(), "two of four workers at most, and both used");
    }

    @Test
    void aFullQueueRefusesOnlyItsOwner() {
        FairQueue<Runnable> queue = new FairQueue<>(1, 3); // nobody serves: everything stays
        for (int i = 0; i < 4; i++) {
            assertTrue(queue.offer("a", () -> {}), "one ready and three queued: " + i);
        }
        assertFalse(queue.offer("a", () -> {}), "the fifth is refused");
        assertTrue(queue.offer("b", () -> {}), "another owner is not");
    }
}
