package dev.nestlet.shift;

import dev.nestlet.idmap.IdRange;
import dev.nestlet.sys.CredCalls;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a task on a throwaway thread whose filesystem ids are the host ids of a container's root,
 * with all of nestletd's capabilities still effective. The thread ends with the task, so its
 * credentials never leak into another.
 */
final class AsContainerRoot {
    /** The task. */
    interface Task<T> {
        T run() throws Exception;
    }

    private AsContainerRoot() {}

    static <T> T call(IdRange range, Task<T> task) throws InterruptedException {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                CredCalls.setfsuid((int) range.uidBase());
                                CredCalls.setfsgid((int) range.gidBase());
                                CredCalls.raiseEffectiveToPermitted();
                                result.set(task.run());
                            } catch (Throwable e) {
                                failure.set(e);
                            }
                        },
                        "as-container-root");
        t.start();
        t.join();
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error er) {
            throw er;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
        return result.get();
    }
}
