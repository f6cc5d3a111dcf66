package dev.nestlet.sys;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task on a thread of its own that enters a network namespace first. The network namespace
 * is a thread's own (setns(CLONE_NEWNET) needs no unshare(CLONE_FS)), so the thread ends with the
 * task and no other thread of the JVM ever runs in the foreign namespace. What the task opens there
 * (an rtnetlink socket, a /proc/sys/net file) stays bound to that namespace.
 */
public final class NetnsThread {
    private NetnsThread() {}

    /**
     * The result of {@code task} run in the network namespace of {@code ns} (an nsfs fd or a
     * pidfd), waited for up to {@code timeoutSeconds}; its exception if it fails.
     */
    public static <T> T call(Fd ns, String name, long timeoutSeconds, Callable<T> task)
            throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                NsCalls.setns(ns, NsCalls.CLONE_NEWNET);
                                result.complete(task.call());
                            } catch (Throwable e) {
                                result.completeExceptionally(e);
                            }
                        },
                        name);
        t.setDaemon(true);
        t.start();
        try {
            return result.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }
}
