package dev.nestlet.it.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test class that must not run alongside a background root build: it measures latencies, races
 * nestletd's crashes and restarts against deadlines, or compares the host's mount table before and
 * after (a build mounts /proc and /dev in its chroot). {@link RootBuilds} waits for every build to
 * end before the class starts, and {@link RunOrder} runs it after the classes the builds overlap,
 * so that the wait is normally zero.
 */
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Quiet {}
