package org.pnrspark.bench;

import java.util.Arrays;

/** What the bench modes report over repeated measurements: minimum, median, maximum. */
final class Repeats {
    private Repeats() {}

    static double min(double[] xs) {
        return Arrays.stream(xs).min().orElseThrow();
    }

    static double max(double[] xs) {
        return Arrays.stream(xs).max().orElseThrow();
    }

    /** The middle value, or the mean of the two middle values of an even count. */
    static double median(double[] xs) {
        double[] sorted = xs.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The index of a repeat whose value is the median (the lower middle one of an even count). */
    static int medianIndex(double[] xs) {
        Integer[] order = new Integer[xs.length];
        for (int i = 0; i < xs.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(xs[a], xs[b]));
        return order[(xs.length - 1) / 2];
    }
}
