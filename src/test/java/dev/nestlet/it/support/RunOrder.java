package dev.nestlet.it.support;

import java.util.Comparator;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * The order of test classes in a run (junit-platform.properties): first the classes that need
 * neither a quiet machine nor a shared root, which run while {@link RootBuilds} builds the roots in
 * the background; then the {@link Quiet} ones, once the builds are over; then the ones that use the
 * roots ({@link UsesRoots}). Otherwise the order Maven gave, unchanged (the sort is stable).
 */
public final class RunOrder implements ClassOrderer {
    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator.comparingInt(RunOrder::group));
    }

    private static int group(ClassDescriptor d) {
        Class<?> c = d.getTestClass();
        if (RootBuilds.find(c, Quiet.class) != null) {
            return 1;
        }
        return RootBuilds.find(c, UsesRoots.class) != null ? 2 : 0;
    }
}
