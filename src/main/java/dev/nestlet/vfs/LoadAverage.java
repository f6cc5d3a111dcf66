package dev.nestlet.vfs;

/**
 * A container's load: exponentially damped averages of its runnable (R) and uninterruptible (D)
 * threads over 1, 5 and 15 minutes, as the kernel computes the host's, sampled every {@link
 * #SAMPLE_SECONDS} seconds.
 *
 * @param lastPid the highest thread id in the container, as its own pid namespace numbers it
 */
public record LoadAverage(
        double avg1, double avg5, double avg15, int running, int total, int lastPid) {
    public static final int SAMPLE_SECONDS = 5;
    public static final LoadAverage NONE = new LoadAverage(0, 0, 0, 0, 0, 0);
    private static final double E1 = Math.exp(-SAMPLE_SECONDS / 60.0);
    private static final double E5 = Math.exp(-SAMPLE_SECONDS / 300.0);
    private static final double E15 = Math.exp(-SAMPLE_SECONDS / 900.0);

    /** The next sample: {@code active} threads are runnable or in D state now. */
    public LoadAverage next(int active, int threads, int last) {
        return new LoadAverage(
                damp(avg1, E1, active),
                damp(avg5, E5, active),
                damp(avg15, E15, active),
                active,
                threads,
                last);
    }

    private static double damp(double load, double e, int active) {
        return load * e + active * (1 - e);
    }
}
