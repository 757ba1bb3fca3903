package org.pnrspark.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warm-up runs a step until the JIT compiler is quiet or its time is up, and says which. Each case drives the
 * clock and the compiler's time itself (a step takes one second), so that each has one outcome.
 */
class JitWarmupTest {
    /** A step of one second on {@code clock}, during which the compiler works {@code jitMillisOfStep.apply(n)}. */
    private static Runnable step(AtomicLong clock, AtomicLong jit, AtomicInteger steps,
            java.util.function.IntUnaryOperator jitMillisOfStep) {
        return () -> {
            int n = steps.incrementAndGet();
            clock.addAndGet(1_000_000_000L);
            jit.addAndGet(jitMillisOfStep.applyAsInt(n));
        };
    }

    @Test
    void noTimeMeansOneStep() {
        AtomicInteger steps = new AtomicInteger();
        JitWarmup.Summary s = JitWarmup.run(steps::incrementAndGet, 0);
        assertEquals(1, steps.get());
        assertEquals(1, s.steps());
        assertTrue(s.describe().startsWith("warm-up 1 steps"), s.describe());
    }

    @Test
    void aQuietCompilerEndsTheWarmUpAfterOneWindow() {
        AtomicLong clock = new AtomicLong(), jit = new AtomicLong();
        AtomicInteger steps = new AtomicInteger();
        // 50 ms of compilation per 1 s step: 5 % of the window, above the 2 % of a quiet one, for 7 steps; then 10 ms
        JitWarmup.Summary s = JitWarmup.run(step(clock, jit, steps, n -> n <= 7 ? 50 : 10), 60, jit::get, clock::get);
        // windows of 5 steps: steps 1-5 busy, 6-10 busy (50+50+10+10+10 = 130 ms of 5 s), 11-15 quiet (50 ms)
        assertTrue(s.quiet(), s.describe());
        assertEquals(15, s.steps(), s.describe());
        assertEquals(15.0, s.seconds(), 1e-9);
        assertEquals(0.43, s.jitSeconds(), 1e-9);
        assertEquals("warm-up 15 steps, 15.0 s (JIT compilation 0.4 s)", s.describe());
    }

    @Test
    void aBusyCompilerRunsUntilTheTimeLimit() {
        AtomicLong clock = new AtomicLong(), jit = new AtomicLong();
        AtomicInteger steps = new AtomicInteger();
        JitWarmup.Summary s = JitWarmup.run(step(clock, jit, steps, n -> 300), 20, jit::get, clock::get);
        assertFalse(s.quiet(), s.describe());
        assertEquals(20, s.steps(), s.describe());
        assertEquals("warm-up 20 steps, 20.0 s (JIT compilation 6.0 s), stopped at the time limit before the JIT "
                + "compiler went quiet", s.describe());
    }

    @Test
    void withoutCompilationTimeAFixedNumberOfSteps() {
        AtomicLong clock = new AtomicLong(), jit = new AtomicLong();
        AtomicInteger steps = new AtomicInteger();
        JitWarmup.Summary s = JitWarmup.run(step(clock, jit, steps, n -> 300), 60, null, clock::get);
        assertEquals(JitWarmup.FALLBACK_STEPS, s.steps());
        assertTrue(Double.isNaN(s.jitSeconds()));
        assertEquals("warm-up 5 steps, 5.0 s (this JVM does not report its JIT compilation time)", s.describe());
    }
}
