package dev.nestlet.seccomp;

import dev.nestlet.metrics.NestletMetrics;
import dev.nestlet.quota.FairLanes;
import dev.nestlet.quota.Throttle;
import dev.nestlet.sys.CpuAffinity;
import dev.nestlet.sys.Epoll;
import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.ForkFence;
import dev.nestlet.sys.SeccompCalls;
import dev.nestlet.sys.SeccompNotif;
import dev.nestlet.sys.SysException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves every seccomp listener fd of every container.
 *
 * <p>Thread model: one "seccomp-poll" thread waits on all listener fds with epoll; when one is
 * readable it takes the notification (SECCOMP_IOCTL_NOTIF_RECV does not block then) and hands it to
 * a small pool of "seccomp-handler" threads, which work out the answer (reading memory, maybe a
 * mount through a namespace worker) and send it. A listener that polls HUP has no task left: it is
 * dropped and closed once the answers in flight for it are sent. A thread per listener fd was not
 * chosen: a blocked NOTIF_RECV is not woken when the last task dies, so each thread would have to
 * poll anyway, and every `exec` into a container adds a listener, so thread count would follow
 * process count.
 *
 * <p>Fairness: the poll thread never runs a handler itself (it would stop taking every other
 * container's notifications). A container has at most all handler threads but one answering its
 * notifications at once; the rest wait in its own queue (at most {@code queuePerContainer}; beyond,
 * a notification is answered EAGAIN at once), and each one answered hands the container's next to
 * the back of the pool's queue, so containers with work take turns ({@link FairLanes}). The pool's
 * queue holds at most a few items per container and needs no bound of its own.
 */
final class NotifySupervisor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NotifySupervisor.class.getName());

    private final NotificationHandler handler;
    private final Function<String, KnownContainer> known;
    private final Epoll epoll = new Epoll(64);
    private final Map<Integer, NotifySession> sessions = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor pool;
    private final FairLanes<Work> lanes;
    private final Throttle refusalLog = new Throttle(TimeUnit.SECONDS.toNanos(10));
    private final Thread poller;
    private final Consumer<String> forget;
    private volatile boolean closed;

    NotifySupervisor(
            NotificationHandler handler, Function<String, KnownContainer> known, int threads) {
        this(handler, known, threads, DEFAULT_QUEUE, name -> {});
    }

    /** Notifications of one container that may wait when no limit is given. */
    static final int DEFAULT_QUEUE = 256;

    /** A notification taken from the kernel, waiting for or in the hands of a handler. */
    private record Work(NotifySession session, SeccompNotif notif) {}

    /**
     * @param forget told the store name of a session's fd once its session ends (no task left)
     */
    NotifySupervisor(
            NotificationHandler handler,
            Function<String, KnownContainer> known,
            int threads,
            int queuePerContainer,
            Consumer<String> forget) {
        this.handler = handler;
        this.known = known;
        this.forget = forget;
        this.pool =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        0,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        r -> {
                            Thread t = new Thread(r, "seccomp-handler");
                            t.setDaemon(true);
                            return t;
                        });
        this.lanes = new FairLanes<>(Math.max(1, threads - 1), queuePerContainer);
        this.poller = new Thread(this::poll, "seccomp-poll");
        this.poller.setDaemon(true);
        this.poller.start();
    }

    /**
     * Starts serving {@code fd} (now owned by the supervisor) for the process {@code state}
     * describes.
     */
    void serve(Fd fd, ProcessState state) {
        serve(fd, state, null);
    }

    /**
     * As {@link #serve(Fd, ProcessState)}; {@code storedAs} names the fd's copy in the fd store (or
     * null).
     */
    void serve(Fd fd, ProcessState state, String storedAs) {
        NotifySession s = new NotifySession(fd, storedAs, state, known);
        sessions.put(fd.get(), s);
        try {
            epoll.add(fd, Epoll.IN);
        } catch (SysException e) {
            sessions.remove(fd.get());
            s.release();
            throw e;
        }
        LOG.info("seccomp: serving " + s);
    }

    int sessions() {
        return sessions.size();
    }

    /** Listener fds being served for the processes of container {@code containerId}. */
    int sessionsOf(String containerId) {
        return (int)
                sessions.values().stream()
                        .filter(s -> s.state().containerId().equals(containerId))
                        .count();
    }

    /** Whether the listener fd of the process {@code pid} (host pid) is being served. */
    boolean servesProcess(int pid) {
        return sessions.values().stream().anyMatch(s -> s.state().pid() == pid);
    }

    private void poll() {
        while (!closed) {
            int n;
            try {
                // Short: close() waits for this loop to see `closed`, and a hand-over's gap
                // includes that wait.
                n = epoll.await(50);
            } catch (SysException e) {
                LOG.log(Level.SEVERE, "seccomp: epoll failed", e);
                return;
            }
            for (int i = 0; i < n; i++) {
                NotifySession s = sessions.get(epoll.readyFd(i));
                if (s == null) {
                    continue;
                }
                int events = epoll.readyEvents(i);
                if ((events & Epoll.IN) != 0) {
                    take(s);
                } else if ((events & (Epoll.HUP | Epoll.ERR)) != 0) {
                    drop(s);
                }
            }
        }
    }

    private void take(NotifySession s) {
        SeccompNotif n;
        try {
            n = SeccompCalls.receive(s.fd());
        } catch (SysException e) {
            LOG.warning(
                    "seccomp: cannot receive on " + s + ": " + e.getMessage() + "; dropping it");
            drop(s);
            return;
        }
        if (n == null) {
            return; // the caller was killed before we took it
        }
        s.retain();
        Work w = new Work(s, n);
        String owner = s.state().containerId();
        switch (lanes.offer(owner, () -> w)) {
            case RUN -> pool.execute(() -> run(owner, w));
            case QUEUED -> {} // a handler ending one of owner's notifications submits it
            case REFUSED -> {
                try {
                    send(s, n, Verdict.fail(Errno.EAGAIN, "too many notifications waiting"));
                } finally {
                    s.release();
                }
                NestletMetrics.REFUSALS.labelValues("seccomp_queue").inc();
                long silenced = refusalLog.tryAcquire();
                if (silenced >= 0) {
                    LOG.warning(
                            "seccomp: "
                                    + owner
                                    + " has too many notifications waiting: answered EAGAIN; "
                                    + silenced
                                    + " refusal(s) not logged since the last line");
                }
            }
        }
    }

    /**
     * Answers {@code w}, then hands its container's next waiting notification to the back of the
     * pool's queue (other containers' work goes first), or answers it here once the pool is shut
     * down (closing: whatever was taken from the kernel must be answered).
     */
    private void run(String owner, Work w) {
        Work next = w;
        while (next != null) {
            Work current = next;
            next = null;
            try {
                answer(current.session(), current.notif());
            } finally {
                // even when answer throws: owner's next must not wait for a done that never comes
                current.session().release();
                next = handOn(owner);
            }
        }
    }

    /** Ends one of {@code owner}'s; returns its next to answer here, when the pool takes none. */
    private Work handOn(String owner) {
        Work next = lanes.done(owner);
        if (next == null) {
            return null;
        }
        try {
            pool.execute(() -> run(owner, next));
            return null;
        } catch (RejectedExecutionException e) {
            return next;
        }
    }

    @SuppressWarnings("Finally") // the answer is sent first; then an Error retires this thread
    private void answer(NotifySession s, SeccompNotif n) {
        Verdict v;
        Error fatal = null;
        try {
            // its fds on the caller's mounts must not be copied into a child process (ForkFence);
            // on the caller's CPUs, so that a container's storm costs its own CPUs' time
            v =
                    CpuAffinity.runOn(
                            CpuAffinity.ofCaller(n.pid()),
                            () -> ForkFence.pinning(() -> handler.handle(s, n)));
        } catch (SysException e) {
            v = e.is(Errno.ESRCH) ? null : Verdict.fail(e.errno(), e.getMessage());
        } catch (Exception | Error e) {
            LOG.log(Level.WARNING, "seccomp: notification " + n.id() + " of " + s + " failed", e);
            v = Verdict.fail(Errno.EPERM, "internal error: " + e);
            fatal = e instanceof Error err ? err : null;
        }
        try {
            send(s, n, v);
        } finally {
            if (fatal != null) {
                throw fatal; // this thread may be unfit (stuck in a namespace): the pool replaces
                // it
            }
        }
    }

    private void send(NotifySession s, SeccompNotif n, Verdict v) {
        NestletMetrics.SECCOMP
                .labelValues(
                        TrappedCall.of(n.arch(), n.nr()).name().toLowerCase(Locale.ROOT),
                        v == null ? "gone" : v.kind().name().toLowerCase(Locale.ROOT))
                .inc();
        if (v == null) {
            LOG.fine("seccomp: caller " + n.pid() + " of " + s + " went away");
            return;
        }
        int flags = v.kind() == Verdict.Kind.CONTINUE ? SeccompCalls.FLAG_CONTINUE : 0;
        int errno = v.kind() == Verdict.Kind.FAIL ? v.errno() : 0;
        boolean delivered;
        try {
            delivered = SeccompCalls.respond(s.fd(), n.id(), 0, errno, flags);
        } catch (SysException e) {
            LOG.warning("seccomp: cannot answer " + s + ": " + e.getMessage());
            return;
        }
        s.countHandled();
        Level level = v.kind() == Verdict.Kind.CONTINUE ? Level.FINE : Level.INFO;
        if (LOG.isLoggable(level)) {
            LOG.log(
                    level,
                    "seccomp: "
                            + TrappedCall.of(n.arch(), n.nr()).syscallName()
                            + " by "
                            + n.pid()
                            + " in "
                            + s.state().containerId()
                            + ": "
                            + v.kind().name().toLowerCase(Locale.ROOT)
                            + (errno != 0 ? " " + Errno.name(errno) : "")
                            + " ("
                            + v.reason()
                            + ")"
                            + (delivered ? "" : " [caller gone]"));
        }
    }

    private void drop(NotifySession s) {
        if (sessions.remove(s.fd().get(), s)) {
            try {
                epoll.remove(s.fd());
            } catch (SysException e) {
                LOG.fine("seccomp: " + e.getMessage());
            }
            LOG.info("seccomp: " + s + " has no task left; stopped serving it");
            if (s.storedAs() != null && !closed) {
                forget.accept(s.storedAs());
            }
            s.release();
        }
    }

    @Override
    public void close() {
        close(false);
    }

    /**
     * Stops taking notifications. With {@code keep} (the fd store holds the listener fds for the
     * next nestletd) the answers in flight are finished first, so no caller is left waiting for an
     * answer nobody will send; what is not taken yet waits in the kernel for the next nestletd.
     */
    void close(boolean keep) {
        closed = true;
        try {
            poller.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (keep) {
            pool.shutdown();
            try {
                if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warning("seccomp: answers still in flight after 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pool.shutdownNow();
        sessions.values().forEach(this::drop);
        epoll.close();
        handler.close();
    }
}
