package org.pnrspark.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm-up runs a step until the JIT compiler is quiet or its time is up, and says which. */
class JitWarmupTest {
    @Test
    void noTimeMeansOneStep() {
        AtomicInteger steps = new AtomicInteger();
        JitWarmup.Summary s = JitWarmup.run(steps::incrementAndGet, 0);
        assertEquals(1, steps.get());
        assertEquals(1, s.steps());
        assertTrue(s.describe().startsWith("warm-up 1 steps"), s.describe());
    }

    @Test
    void stopsWhenTheCompilerIsQuietOrTheTimeIsUp() {
        AtomicInteger steps = new AtomicInteger();
        double limit = 20;
        JitWarmup.Summary s = JitWarmup.run(() -> {
            steps.incrementAndGet();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, limit);
        assertEquals(steps.get(), s.steps());
        assertTrue(s.jitSeconds() >= 0 && s.jitSeconds() <= s.seconds() * 4, s.describe());
        if (s.quiet()) {
            // a whole quiet window: at least 5 steps and 5 s
            assertTrue(s.steps() >= JitWarmup.MIN_WINDOW_STEPS && s.seconds() >= JitWarmup.MIN_WINDOW_SECONDS,
                    s.describe());
            assertTrue(s.seconds() < limit + 1, s.describe());
        } else {
            assertTrue(s.seconds() >= limit, s.describe());
            assertTrue(s.describe().contains("stopped at the time limit"), s.describe());
        }
    }
}
