package dev.nestlet.it.support;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Builds the {@link SharedRoot}s the run's classes use ({@link UsesRoots}) in a background thread,
 * one after the other, from the moment the run starts, while the classes {@link RunOrder} puts
 * first run: the builds mostly wait on the mirror, and a fresh clone's run otherwise spent about
 * three minutes stalled in the classes that needed them. Before a {@link Quiet} class starts, every
 * build is waited for. A build that fails is only reported here: the owner's getter stays unset, so
 * the class that needs the root builds it again in the foreground and fails with the cause.
 * Registered with the JUnit launcher by META-INF/services.
 */
public final class RootBuilds implements TestExecutionListener {
    private final List<Thread> builds = new ArrayList<>();

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        Set<SharedRoot> needed = EnumSet.noneOf(SharedRoot.class);
        for (TestIdentifier top : plan.getRoots()) {
            for (TestIdentifier id : plan.getDescendants(top)) {
                testClass(id)
                        .map(c -> find(c, UsesRoots.class))
                        .ifPresent(u -> needed.addAll(List.of(u.value())));
            }
        }
        if (needed.contains(SharedRoot.DIND)) {
            needed.remove(SharedRoot.MINBASE); // the DinD image is built on a copy of it
        }
        if (needed.isEmpty()) {
            return;
        }
        // One build at a time, at the lowest CPU and I/O priority: the classes running meanwhile
        // start nestletds with readiness deadlines, and two dpkg runs at once stalled them.
        Thread t =
                new Thread(
                        () -> {
                            yieldToTheTests();
                            for (SharedRoot root : needed) {
                                try {
                                    root.build();
                                } catch (Exception e) {
                                    System.err.println(
                                            "background build of " + root + " failed: " + e);
                                }
                            }
                        },
                        "root-builds");
        t.setDaemon(true);
        t.start();
        builds.add(t);
    }

    /**
     * Nice 19 and the idle I/O class for the calling thread, and so for every process it starts
     * (Linux keeps both per thread, and a child inherits its parent thread's).
     */
    private static void yieldToTheTests() {
        try {
            String tid =
                    Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            Cmd.of("renice", "-n", "19", "-p", tid).run().ok();
            Cmd.of("ionice", "-c", "3", "-p", tid).run().ok();
        } catch (IOException | AssertionError e) {
            System.err.println("background builds at normal priority: " + e);
        }
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        if (testClass(id).map(c -> find(c, Quiet.class)).isEmpty()) {
            return;
        }
        for (Thread t : builds) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + t.getName(), e);
            }
        }
    }

    /** {@code type} on {@code c}, its superclasses (@Inherited) or its enclosing classes. */
    static <A extends Annotation> A find(Class<?> c, Class<A> type) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            A a = k.getAnnotation(type);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    private static Optional<Class<?>> testClass(TestIdentifier id) {
        return id.getSource()
                .filter(ClassSource.class::isInstance)
                .map(s -> ((ClassSource) s).getJavaClass());
    }
}
