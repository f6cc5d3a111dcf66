package dev.nestlet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * STATE/run/serving.lock: one holder at a time (flock on an open file description, so two
 * descriptions of one process exclude each other as two nestletds do), a waiter woken when the
 * holder's description closes, and a hand-over's duplicate (pidfd_getfd) keeping it held after the
 * original closes.
 */
class ServingLockTest {
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    @TempDir Path state;

    @Test
    void secondDescriptionIsRefusedAndNamesTheHolder() throws Exception {
        ServingLock first = ServingLock.open(state);
        ServingLock second = ServingLock.open(state);
        try {
            assertTrue(first.tryTake());
            assertFalse(second.tryTake(), "held by the first");
            assertEquals(PID, second.holder());
            first.close();
            assertTrue(second.tryTake(), "free once the holder's description is closed");
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void aWaiterTakesItWhenTheHolderGoes() throws Exception {
        ServingLock holder = ServingLock.open(state);
        ServingLock standby = ServingLock.open(state);
        try {
            assertTrue(holder.tryTake());
            CompletableFuture<Void> taken = CompletableFuture.runAsync(unchecked(standby::await));
            assertWaits(taken);
            holder.close();
            taken.get(10, TimeUnit.SECONDS);
            assertFalse(ServingLock.open(state).tryTake(), "the standby holds it now");
        } finally {
            holder.close();
            standby.close();
        }
    }

    @Test
    void theHandOversDuplicateKeepsItHeldWithoutAGap() throws Exception {
        ServingLock old = ServingLock.open(state);
        ServingLock standby = ServingLock.open(state);
        try {
            assertTrue(old.tryTake());
            CompletableFuture<Void> woken = CompletableFuture.runAsync(unchecked(standby::await));
            ServingLock passed =
                    ServingLock.fromHandOver(state, ProcessHandle.current().pid(), old.fd())
                            .orElseThrow();
            old.close(); // the old nestletd exits
            assertWaits(woken);
            passed.close(); // the new one exits in turn
            woken.get(10, TimeUnit.SECONDS);
        } finally {
            old.close();
            standby.close();
        }
    }

    @Test
    void noDuplicateFromAnOlderNestletdOrAGoneOne() throws Exception {
        assertTrue(ServingLock.fromHandOver(state, ProcessHandle.current().pid(), -1).isEmpty());
        assertTrue(ServingLock.fromHandOver(state, Integer.MAX_VALUE - 1, 3).isEmpty());
    }

    // Still waiting after a while: a blocked flock does not end by itself.
    private static void assertWaits(CompletableFuture<Void> waiter) throws Exception {
        try {
            waiter.get(300, TimeUnit.MILLISECONDS);
            throw new AssertionError("took the lock while it was held");
        } catch (TimeoutException expected) {
            assertFalse(waiter.isDone());
        }
    }

    private static Runnable unchecked(Executable e) {
        return () -> {
            try {
                e.execute();
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        };
    }
}
