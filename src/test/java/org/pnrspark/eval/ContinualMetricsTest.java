package org.pnrspark.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The continual metrics against matrices worked out by hand. */
class ContinualMetricsTest {
    private static final double[][] A = {
            {0.80, 0.30, 0.20},
            {0.70, 0.90, 0.25},
            {0.60, 0.85, 0.95}};
    private static final double[] RANDOM = {0.25, 0.20, 0.15};

    @Test
    void threeTasks() {
        ContinualMetrics m = ContinualMetrics.of(A, 0.77, RANDOM);
        assertEquals(0.77, m.finalAccuracy(), 1e-12);
        // (0.60 + 0.85 + 0.95) / 3
        assertEquals(0.80, m.averageAccuracy(), 1e-12);
        // task 0: best of rows 0, 1 = 0.80, now 0.60 -> 0.20; task 1: best 0.90, now 0.85 -> 0.05; mean 0.125
        assertEquals(0.125, m.forgetting(), 1e-12);
        // task 1 after task 0: 0.30 - 0.20; task 2 after task 1: 0.25 - 0.15; mean 0.10
        assertEquals(0.10, m.forwardTransfer(), 1e-12);
    }

    @Test
    void partialRunsUseTheRowsSoFar() {
        ContinualMetrics m = ContinualMetrics.of(new double[][] {A[0], A[1]}, 0.6, RANDOM);
        assertEquals((0.70 + 0.90 + 0.25) / 3, m.averageAccuracy(), 1e-12);
        assertEquals(0.10, m.forgetting(), 1e-12);
        assertEquals(0.10, m.forwardTransfer(), 1e-12);
        ContinualMetrics first = ContinualMetrics.of(new double[][] {A[0]}, 0.5, RANDOM);
        assertTrue(Double.isNaN(first.forgetting()) && Double.isNaN(first.forwardTransfer()));
        assertEquals(0.5, first.finalAccuracy());
        assertTrue(Double.isNaN(ContinualMetrics.of(A, 0.77, null).forwardTransfer()), "no baseline, no transfer");
    }

    @Test
    void forgettingCanBeNegativeWhenAnOldTaskImproves() {
        double[][] better = {{0.5, 0.1}, {0.7, 0.8}};
        assertEquals(-0.2, ContinualMetrics.of(better, 0.75, null).forgetting(), 1e-12);
    }
}
