package dev.nestlet.it.support;

import java.lang.annotation.Annotation;
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
 * Builds the {@link SharedRoot}s the run's classes use ({@link UsesRoots}) in background threads
 * from the moment the run starts, while the classes {@link RunOrder} puts first run: the builds
 * mostly wait on the mirror, and a fresh clone's run otherwise spent about three minutes stalled in
 * the first class that needed one. Before a {@link Quiet} class starts, every build is waited for.
 * A build that fails is only reported here: the owner's getter stays unset, so the class that needs
 * the root builds it again in the foreground and fails with the cause. Registered with the JUnit
 * launcher by META-INF/services.
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
        for (SharedRoot root : needed) {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    root.build();
                                } catch (Exception e) {
                                    System.err.println(
                                            "background build of " + root + " failed: " + e);
                                }
                            },
                            "root-build-" + root);
            t.setDaemon(true);
            t.start();
            builds.add(t);
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
