package dev.nestlet.ns;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.NsCalls;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
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
 */
public final class NamespaceWorkers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NamespaceWorkers.class.getName());

    private final BlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger names = new AtomicInteger();
    private final java.util.Set<Thread> threads =
            java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final long timeoutMillis;
    private volatile boolean closed;

    /**
     * @param namespaces CLONE_NEWNS, or with CLONE_NEWNET too (then {@code target} is a pidfd)
     */
    private record Job<T>(
            Fd target, int namespaces, NamespaceTask<T> task, CompletableFuture<T> result) {}

    public NamespaceWorkers(int threads, long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
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
     * Runs {@code task} inside the mount namespace of {@code target} (a pidfd or an nsfs fd) and
     * waits for it within the worker timeout.
     */
    public <T> T inMountNamespace(Fd target, NamespaceTask<T> task) throws Exception {
        return run(target, NsCalls.CLONE_NEWNS, task);
    }

    /**
     * Runs {@code task} inside the mount and network namespaces of the process behind {@code
     * pidfd}: /proc/sys/net resolves to that network namespace's files only for a thread inside it.
     */
    public <T> T inMountAndNetworkNamespaces(Fd pidfd, NamespaceTask<T> task) throws Exception {
        return run(pidfd, NsCalls.CLONE_NEWNS | NsCalls.CLONE_NEWNET, task);
    }

    private <T> T run(Fd target, int namespaces, NamespaceTask<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        queue.add(new Job<>(target, namespaces, task, result));
        try {
            return result.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        } catch (TimeoutException e) {
            throw new TimeoutException(
                    "mount namespace task did not finish in " + timeoutMillis + " ms");
        }
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
            Job<?> job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                break;
            }
            if (!runOne(job, home, homeNet)) {
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
