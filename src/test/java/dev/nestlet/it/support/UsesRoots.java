package dev.nestlet.it.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The shared roots a test class uses (on the class, or on an enclosing one for @Nested classes):
 * {@link RootBuilds} builds them in the background from the start of the run and {@link RunOrder}
 * runs the class after the others, so that the builds overlap tests that do not need them instead
 * of stalling the first one that does.
 */
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface UsesRoots {
    SharedRoot[] value();
}
