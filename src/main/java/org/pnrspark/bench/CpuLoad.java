package org.pnrspark.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * CPU time: this JVM's (all its threads: the step's native threads, the JIT compiler, the garbage collector) and the
 * whole machine's, from /proc/stat, so that a bench can say how busy the rest of the machine was while it measured.
 * On a 2-core machine a JVM that has just run a step keeps a core busy for a while (compilation, collection, native
 * threads spinning before they park), which is why PyTorch is timed only once {@link #awaitQuiet} says it is idle.
 */
final class CpuLoad {
    /** Linux's USER_HZ, the unit of /proc/stat: 100 on every Linux platform the JVM runs on. */
    private static final double TICKS_PER_SECOND = 100;
    private static final Path PROC_STAT = Path.of("/proc/stat");

    private CpuLoad() {}

    /** Seconds of CPU this JVM has used, all threads; NaN where the platform does not say. */
    static double jvmSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** Seconds of CPU the whole machine has been busy (all cores, not idle or waiting for I/O); NaN without /proc/stat. */
    static double machineSeconds() {
        try {
            String first = Files.readAllLines(PROC_STAT).get(0);
            String[] f = first.trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) busy += Long.parseLong(f[i]);
            }
            return busy / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** A point in time with the JVM's and the machine's CPU seconds, to measure an interval's load from. */
    record Mark(long nanos, double jvm, double machine) {
        static Mark now() {
            return new Mark(System.nanoTime(), jvmSeconds(), machineSeconds());
        }

        double wallSeconds() {
            return (System.nanoTime() - nanos) / 1e9;
        }

        /** Cores this JVM kept busy on average since the mark. */
        double jvmCores() {
            return (jvmSeconds() - jvm) / wallSeconds();
        }

        /**
         * Cores kept busy since the mark by everything but this JVM and {@code ownSeconds} of CPU the caller accounts
         * for (a child process it ran); never below 0 (the two counters tick at different times).
         */
        double otherCores(double ownSeconds) {
            double wall = wallSeconds();
            double others = (machineSeconds() - machine) - (jvmSeconds() - jvm) - ownSeconds;
            return Math.max(0, others / wall);
        }
    }

    /** What waiting for the JVM to go quiet took: whether it did, how long, and its load over the last window. */
    record Quiet(boolean quiet, double seconds, double jvmCores) {
        String describe() {
            return String.format(java.util.Locale.ROOT, "%s after %.1f s (the JVM at %.1f %% of a core)",
                    quiet ? "quiet" : "still busy", seconds, 100 * jvmCores);
        }
    }

    /**
     * Collects garbage and waits until this JVM has used less than {@code maxCores} of a core over a whole
     * {@code window}, for at most {@code limit}.
     */
    static Quiet awaitQuiet(double maxCores, Duration window, Duration limit) {
        System.gc();
        long start = System.nanoTime();
        long windowNanos = window.toNanos();
        Mark m = Mark.now();
        while (true) {
            sleep(windowNanos);
            double cores = m.jvmCores();
            double waited = (System.nanoTime() - start) / 1e9;
            if (Double.isNaN(cores)) return new Quiet(false, waited, Double.NaN);
            if (cores < maxCores || System.nanoTime() - start >= limit.toNanos()) {
                return new Quiet(cores < maxCores, waited, cores);
            }
            m = Mark.now();
        }
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
