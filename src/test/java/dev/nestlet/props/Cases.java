package dev.nestlet.props;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.opentest4j.AssertionFailedError;

/**
 * Runs a property over generated cases: each case has its own seed, drawn from one seed per run, so
 * a failure names the one seed that replays it. {@code -Dnestlet.props.tries=N} sets how many cases
 * (default {@link #DEFAULT_TRIES}, sized so each property test class stays within a few seconds;
 * {@code make fuzz} raises it); {@code -Dnestlet.props.seed=S} runs only the case of seed S.
 */
public final class Cases {
    /**
     * Measured on a 2-core VM at load 5 to 7: IdAllocatorPropertyTest, the slowest, takes ~7 s for
     * 1000 cases and ~15 s for 3000; this many keeps it near 3 s under load.
     */
    public static final int DEFAULT_TRIES = 400;

    private Cases() {}

    /** A property of one generated input; it fails by throwing, as JUnit assertions do. */
    @FunctionalInterface
    public interface Property<T> {
        void check(T input) throws Exception;
    }

    /**
     * Checks {@code property} on {@code tries()} inputs made by {@code gen}, or on the one seed.
     */
    public static <T> void forAll(Function<SplittableRandom, T> gen, Property<T> property) {
        String replay = System.getProperty("nestlet.props.seed");
        if (replay != null) {
            run(Long.parseLong(replay), gen, property, "replayed case");
            return;
        }
        int tries = Integer.getInteger("nestlet.props.tries", DEFAULT_TRIES);
        SplittableRandom seeds = new SplittableRandom();
        for (int i = 0; i < tries; i++) {
            run(seeds.nextLong(), gen, property, "case " + (i + 1) + " of " + tries);
        }
    }

    private static <T> void run(
            long seed, Function<SplittableRandom, T> gen, Property<T> property, String which) {
        T input = gen.apply(new SplittableRandom(seed));
        try {
            property.check(input);
        } catch (Exception | AssertionError e) {
            throw new AssertionFailedError(
                    which
                            + " failed, seed "
                            + seed
                            + " (replay: -Dnestlet.props.seed="
                            + seed
                            + "): "
                            + e.getMessage()
                            + "\ninput: "
                            + input,
                    e);
        }
    }
}
