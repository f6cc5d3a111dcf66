package dev.nestlet.ns;

import dev.nestlet.metrics.NestletMetrics;
import dev.nestlet.quota.Throttle;
import dev.nestlet.sys.CpuAffinity;
import dev.nestlet.sys.CpuMask;
import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.NsCalls;
import dev.nestlet.sys.SysException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Platform threads that can enter a container's mount namespace.
 *
 * <p>setns(CLONE_NEWNS) is refused in a process whose threads share one fs_struct, so each worker
 * first calls unshare(CLONE_FS); after that it may enter any mount namespace without affecting the
 * rest of the JVM. Each task runs between a setns into the target and a setns back to the host's
 * namespace; a worker that cannot get back retires and is replaced, so no task ever starts in a
 * foreign namespace.
 *
 * <p>Fairness: every task has an owner (the container it works in; a container's hooks are its
 * own), and owners share the workers through a {@link FairQueue}: an owner has at most all workers
 * but one at once, its further tasks wait in its own queue (at most {@code queuePerOwner}; one more
 * fails at once with EAGAIN), and each of its tasks that ends puts its next behind the other
 * owners' ready ones. So a container storming emulated mounts queues behind its own mounts, while
 * another container's mount or a new container's hooks find a free worker.
 */
public final class NamespaceWorkers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NamespaceWorkers.class.getName());

    /** Tasks of one owner that may wait for a worker when no limit is given. */
    public static final int DEFAULT_QUEUE_PER_OWNER = 64;

    private final FairQueue<Job<?>> queue;
    private final Throttle refusalLog = new Throttle(TimeUnit.SECONDS.toNanos(10));
    private final AtomicInteger names = new AtomicInteger();
    private final java.util.Set<Thread> threads =
            java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final long timeoutMillis;
    private volatile boolean closed;

    /**
     * @param namespaces CLONE_NEWNS, or with CLONE_NEWNET too (then {@code target} is a pidfd)
     * @param cpus where the submitting thread works (a container's CPUs), for the worker to work
     *     there too; null: nestletd's own
     */
    private record Job<T>(
            Fd target,
            int namespaces,
            NamespaceTask<T> task,
            CompletableFuture<T> result,
            long queuedAt,
            CpuMask cpus) {}

    public NamespaceWorkers(int threads, long timeoutMillis) {
        this(threads, timeoutMillis, DEFAULT_QUEUE_PER_OWNER);
    }

    /**
     * @param queuePerOwner tasks of one owner that may wait beyond those its share of workers runs
     */
    public NamespaceWorkers(int threads, long timeoutMillis, int queuePerOwner) {
        this.timeoutMillis = timeoutMillis;
        this.queue = new FairQueue<>(Math.max(1, threads - 1), queuePerOwner);
        for (int i = 0; i < threads; i++) {
            startWorker();
        }
    }

    private void startWorker() {
        Thread t = new Thread(this::work, "ns-worker-" + names.incrementAndGet());
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /**
     * Runs {@code task} of {@code owner} inside the mount namespace of {@code target} (a pidfd or
     * an nsfs fd) and waits for it within the worker timeout; throws a {@link SysException} EAGAIN
     * at once when the owner's queue is full.
     */
    public <T> T inMountNamespace(String owner, Fd target, NamespaceTask<T> task) throws Exception {
        return run(owner, target, NsCalls.CLONE_NEWNS, task);
    }

    /**
     * Runs {@code task} inside the mount and network namespaces of the process behind {@code
     * pidfd}: /proc/sys/net resolves to that network namespace's files only for a thread inside it.
     */
    public <T> T inMountAndNetworkNamespaces(String owner, Fd pidfd, NamespaceTask<T> task)
            throws Exception {
        return run(owner, pidfd, NsCalls.CLONE_NEWNS | NsCalls.CLONE_NEWNET, task);
    }

    private <T> T run(String owner, Fd target, int namespaces, NamespaceTask<T> task)
            throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!queue.offer(
                owner,
                new Job<>(
                        target,
                        namespaces,
                        task,
                        result,
                        System.nanoTime(),
                        CpuAffinity.current()))) {
            refused(owner);
        }
        try {
            return result.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        } catch (TimeoutException e) {
            result.cancel(false); // a worker that takes it later skips it
            throw new TimeoutException(
                    "mount namespace task did not finish in " + timeoutMillis + " ms");
        }
    }

    private void refused(String owner) {
        NestletMetrics.REFUSALS.labelValues("ns_worker_queue").inc();
        long silenced = refusalLog.tryAcquire();
        if (silenced >= 0) {
            LOG.warning(
                    owner
                            + " has too many tasks waiting for a namespace worker: refused with"
                            + " EAGAIN; "
                            + silenced
                            + " refusal(s) not logged since the last line");
        }
        throw new SysException("namespace worker queue", Errno.EAGAIN, owner);
    }

    /** How many tasks of {@code owner} wait in its own queue now. */
    int queued(String owner) {
        return queue.queued(owner);
    }

    private void work() {
        Fd home;
        Fd homeNet;
        try {
            NsCalls.unshare(NsCalls.CLONE_FS);
            home = FileCalls.open("/proc/thread-self/ns/mnt", FileCalls.O_RDONLY, 0);
            homeNet = FileCalls.open("/proc/thread-self/ns/net", FileCalls.O_RDONLY, 0);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "namespace worker cannot start", e);
            return;
        }
        while (!closed) {
            FairQueue.Turn<Job<?>> turn;
            try {
                turn = queue.take();
            } catch (InterruptedException e) {
                break;
            }
            boolean back;
            try {
                Job<?> job = turn.item();
                back = CpuAffinity.runOn(job.cpus(), () -> runOne(job, home, homeNet));
            } finally {
                queue.done(turn.owner());
            }
            if (!back) {
                LOG.severe(
                        "namespace worker could not return to the host namespaces; replacing it");
                threads.remove(Thread.currentThread());
                startWorker();
                return; // home stays open: this thread ends here with its fs_struct
            }
        }
        home.close();
        homeNet.close();
    }

    private static <T> boolean runOne(Job<T> job, Fd home, Fd homeNet) {
        if (job.result().isDone()) {
            return true; // its caller timed out and went away
        }
        NestletMetrics.NS_WORKER_WAIT.observe((System.nanoTime() - job.queuedAt()) / 1e9);
        try {
            // One setns for both (a pidfd target): either both are entered or neither.
            NsCalls.setns(job.target(), job.namespaces());
        } catch (Throwable e) {
            job.result().completeExceptionally(e);
            return true;
        }
        try {
            job.result().complete(job.task().run());
        } catch (Throwable e) {
            job.result().completeExceptionally(e);
        }
        try {
            if ((job.namespaces() & NsCalls.CLONE_NEWNET) != 0) {
                NsCalls.setns(homeNet, NsCalls.CLONE_NEWNET);
            }
            NsCalls.setns(home, NsCalls.CLONE_NEWNS);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        queue.clear();
        threads.forEach(Thread::interrupt);
    }
}
