package dev.nestlet.ns;

import dev.nestlet.quota.FairLanes;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The queue namespace workers take their work from, shared fairly between owners (containers). Each
 * owner has at most {@code inFlightCap} items taken or ready to take at once; the rest wait in its
 * own queue ({@link FairLanes}, at most {@code queueCap}, more refused). A worker that finishes an
 * owner's item puts that owner's next one at the back of the ready queue, behind whatever the other
 * owners made ready meanwhile: owners with work take turns, and one owner's backlog never stands
 * between another owner's item and the next free worker.
 *
 * @param <T> an item of work
 */
final class FairQueue<T> {
    /** An item and whose it is, as a worker takes it. */
    record Turn<T>(String owner, T item) {}

    private final FairLanes<Turn<T>> lanes;
    private final BlockingQueue<Turn<T>> ready = new LinkedBlockingQueue<>();

    FairQueue(int inFlightCap, int queueCap) {
        this.lanes = new FairLanes<>(inFlightCap, queueCap);
    }

    /** Admits {@code item} of {@code owner}; false when the owner's queue is full (refused). */
    boolean offer(String owner, T item) {
        Turn<T> turn = new Turn<>(owner, item);
        return switch (lanes.offer(owner, () -> turn)) {
            case RUN -> ready.add(turn);
            case QUEUED -> true; // a done() of the owner makes it ready
            case REFUSED -> false;
        };
    }

    /** The next ready item, waiting for one; the taker ends it with {@link #done}. */
    Turn<T> take() throws InterruptedException {
        return ready.take();
    }

    /**
     * Ends a taken item of {@code owner}: the owner's next queued one becomes ready, at the back.
     */
    void done(String owner) {
        Turn<T> next = lanes.done(owner);
        if (next != null) {
            ready.add(next);
        }
    }

    /** Items of {@code owner} waiting in its own queue (not yet ready). */
    int queued(String owner) {
        return lanes.queued(owner);
    }

    /** Drops what is ready (closing: no worker will take it). */
    void clear() {
        ready.clear();
    }
}
