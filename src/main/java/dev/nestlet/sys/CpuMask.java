package dev.nestlet.sys;

import java.util.Arrays;

/**
 * A set of CPUs as the kernel's affinity calls pass it: bit N of word N / 64 is CPU N. Two masks
 * with the same CPUs are equal whatever their length. Printed as /proc's Cpus_allowed_list is
 * ({@code 0-3,6}).
 */
public final class CpuMask {
    private final long[] words;

    /** The mask of {@code words} (copied), trailing empty words dropped. */
    public CpuMask(long[] words) {
        int n = words.length;
        while (n > 0 && words[n - 1] == 0) {
            n--;
        }
        this.words = Arrays.copyOf(words, n);
    }

    /** The mask of the CPUs in {@code cpus}. */
    public static CpuMask of(int... cpus) {
        long[] w = new long[0];
        for (int c : cpus) {
            if (c < 0) {
                throw new IllegalArgumentException("CPU " + c);
            }
            if (c / 64 >= w.length) {
                w = Arrays.copyOf(w, c / 64 + 1);
            }
            w[c / 64] |= 1L << (c % 64);
        }
        return new CpuMask(w);
    }

    long[] words() {
        return words.clone();
    }

    /** Whether CPU {@code cpu} is in the set. */
    public boolean has(int cpu) {
        return cpu >= 0 && cpu / 64 < words.length && (words[cpu / 64] & (1L << (cpu % 64))) != 0;
    }

    /** How many CPUs are in the set. */
    public int count() {
        int n = 0;
        for (long w : words) {
            n += Long.bitCount(w);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuMask m && Arrays.equals(words, m.words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }

    /** The CPUs as ranges, {@code 0-3,6}; empty for none. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        int max = words.length * 64;
        for (int c = 0; c < max; c++) {
            if (!has(c)) {
                continue;
            }
            int end = c;
            while (has(end + 1)) {
                end++;
            }
            b.append(b.length() == 0 ? "" : ",").append(c);
            if (end > c) {
                b.append('-').append(end);
            }
            c = end;
        }
        return b.toString();
    }
}
