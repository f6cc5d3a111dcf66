package dev.nestlet.quota;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Work of many owners (containers) served by a few shared threads, so that one owner's storm queues
 * behind its own work and not everyone's: each owner has at most {@code inFlightCap} items being
 * served at once, and what comes beyond waits in the owner's own queue (at most {@code queueCap}
 * items; more is refused). A thread that finishes an item of an owner is handed that owner's next
 * queued one ({@link #done}); nobody else ever serves a queue, so an owner's items keep their order
 * and an owner under its cap never waits for another's.
 *
 * <p>Invariant: an owner with queued items has exactly {@code inFlightCap} in flight, so the thread
 * finishing one of them is always there to take the next: no queued item is left without a thread
 * to serve it.
 *
 * @param <T> an item of work
 */
public final class FairLanes<T> {
    /** What {@link #offer} decided. */
    public enum Admission {
        /** Serve it now: it counts as in flight until {@link #done}. */
        RUN,
        /** Queued behind the owner's own items; a {@link #done} of the owner hands it out. */
        QUEUED,
        /** The owner's queue is full: answer it with an error at once. */
        REFUSED
    }

    private static final class Lane<T> {
        int inFlight;
        final ArrayDeque<T> queued = new ArrayDeque<>();
    }

    private final int inFlightCap;
    private final int queueCap;
    private final Map<String, Lane<T>> lanes = new HashMap<>();

    public FairLanes(int inFlightCap, int queueCap) {
        if (inFlightCap < 1 || queueCap < 0) {
            throw new IllegalArgumentException(
                    "in-flight cap " + inFlightCap + " and queue cap " + queueCap);
        }
        this.inFlightCap = inFlightCap;
        this.queueCap = queueCap;
    }

    /**
     * Admits an item of {@code owner}: to run now, to wait in the owner's queue, or not. {@code
     * item} is asked for only when the item is queued, so that what runs at once is never copied.
     */
    public synchronized Admission offer(String owner, Supplier<T> item) {
        Lane<T> lane = lanes.computeIfAbsent(owner, k -> new Lane<>());
        if (lane.inFlight < inFlightCap) {
            lane.inFlight++;
            return Admission.RUN;
        }
        if (lane.queued.size() >= queueCap) {
            return Admission.REFUSED;
        }
        lane.queued.add(item.get());
        return Admission.QUEUED;
    }

    /**
     * Ends one in-flight item of {@code owner}; returns the owner's next queued item, now in flight
     * and the caller's to serve (and to end with {@code done} in turn), or null when none waits.
     */
    public synchronized T done(String owner) {
        Lane<T> lane = lanes.get(owner);
        if (lane == null || lane.inFlight == 0) {
            throw new IllegalStateException("nothing of " + owner + " is in flight");
        }
        T next = lane.queued.poll();
        if (next != null) {
            return next; // one ended, one started: still at the cap
        }
        if (--lane.inFlight == 0) {
            lanes.remove(owner); // an owner that went away leaves nothing behind
        }
        return null;
    }

    /** Items of {@code owner} in flight now. */
    public synchronized int inFlight(String owner) {
        Lane<T> lane = lanes.get(owner);
        return lane == null ? 0 : lane.inFlight;
    }

    /** Items of {@code owner} waiting in its queue now. */
    public synchronized int queued(String owner) {
        Lane<T> lane = lanes.get(owner);
        return lane == null ? 0 : lane.queued.size();
    }
}
