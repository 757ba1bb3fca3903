package org.pnrspark.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Runs a step until the JVM's JIT compiler has gone quiet, so that what a bench times afterwards is the steady state
 * a training run spends its hours in. On a 2-core machine the compiler takes 15 s of CPU over the first 40 s of
 * training steps (and keeps compiling in bursts for a minute), from the cores the step itself runs on; a bench
 * timed from the second step measures that instead.
 * Quiet: over the last window (at least {@value #MIN_WINDOW_STEPS} steps and {@value #MIN_WINDOW_SECONDS} s) the
 * compiler worked less than {@value #QUIET_SHARE} of the wall time. Capped at a time limit; without compilation
 * time monitoring (a JVM that lacks it) a fixed {@value #FALLBACK_STEPS} steps.
 */
final class JitWarmup {
    static final int MIN_WINDOW_STEPS = 5;
    static final double MIN_WINDOW_SECONDS = 5.0;
    static final double QUIET_SHARE = 0.02;
    static final int FALLBACK_STEPS = 5;

    /** What the warm-up took: steps, wall seconds, seconds of JIT compilation, and whether it went quiet. */
    record Summary(int steps, double seconds, double jitSeconds, boolean quiet) {
        String describe() {
            if (Double.isNaN(jitSeconds)) {
                return String.format(Locale.ROOT, "warm-up %d steps, %.1f s (this JVM does not report its JIT "
                        + "compilation time)", steps, seconds);
            }
            return String.format(Locale.ROOT, "warm-up %d steps, %.1f s (JIT compilation %.1f s)%s", steps, seconds,
                    jitSeconds, quiet ? "" : ", stopped at the time limit before the JIT compiler went quiet");
        }
    }

    private JitWarmup() {}

    /** Runs {@code step} at least once, until the JIT compiler is quiet or {@code maxSeconds} have passed. */
    static Summary run(Runnable step, double maxSeconds) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean monitored = jit != null && jit.isCompilationTimeMonitoringSupported();
        return run(step, maxSeconds, monitored ? jit::getTotalCompilationTime : null, System::nanoTime);
    }

    /**
     * The same with the JIT compiler's total time in milliseconds read from {@code jitMillis} (null: not
     * monitored) and the time in nanoseconds from {@code nanoTime}.
     */
    static Summary run(Runnable step, double maxSeconds, LongSupplier jitMillis, LongSupplier nanoTime) {
        boolean monitored = jitMillis != null;
        long start = nanoTime.getAsLong();
        long jitStart = monitored ? jitMillis.getAsLong() : 0;
        long windowStart = start;
        long windowJit = jitStart;
        int steps = 0, windowSteps = 0;
        boolean quiet = false;
        while (true) {
            step.run();
            steps++;
            windowSteps++;
            long now = nanoTime.getAsLong();
            double elapsed = (now - start) / 1e9;
            if (!monitored) {
                if (steps >= FALLBACK_STEPS || elapsed >= maxSeconds) break;
                continue;
            }
            double window = (now - windowStart) / 1e9;
            if (windowSteps >= MIN_WINDOW_STEPS && window >= MIN_WINDOW_SECONDS) {
                long compiled = jitMillis.getAsLong();
                if ((compiled - windowJit) / 1000.0 < QUIET_SHARE * window) {
                    quiet = true;
                    break;
                }
                windowStart = now;
                windowJit = compiled;
                windowSteps = 0;
            }
            if (elapsed >= maxSeconds) break;
        }
        double jitSeconds = monitored ? (jitMillis.getAsLong() - jitStart) / 1000.0 : Double.NaN;
        return new Summary(steps, (nanoTime.getAsLong() - start) / 1e9, jitSeconds, quiet);
    }
}
