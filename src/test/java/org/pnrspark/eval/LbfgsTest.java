package org.pnrspark.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The L-BFGS of the driver's probe on functions whose answer is known (its agreement with Breeze's, step by step, is
 * MultinomialLogisticRegressionTest's).
 */
class LbfgsTest {
    /** Rosenbrock's valley: minimum 0 at (1, 1), reached along a curved, badly scaled valley. */
    private static double rosenbrock(double[] x, double[] g) {
        double a = 1 - x[0], b = x[1] - x[0] * x[0];
        g[0] = -2 * a - 400 * x[0] * b;
        g[1] = 200 * b;
        return a * a + 100 * b * b;
    }

    @Test
    void findsTheMinimumOfRosenbrocksValley() {
        Lbfgs.Result r = new Lbfgs(100, 10, 1e-9).minimize(LbfgsTest::rosenbrock, new double[] {-1.2, 1});
        assertArrayEquals(new double[] {1, 1}, r.x(), 1e-4, r.reason());
        assertTrue(r.value() < 1e-8 && r.iterations() > 10 && r.iterations() < 100, r.toString());
        assertEquals(r.iterations() + 1, r.history().length, "the start, then one value per iteration");
        for (int i = 1; i < r.history().length; i++) assertTrue(r.history()[i] <= r.history()[i - 1], "descent");
    }

    @Test
    void stopsAtMaxIterationsAndAtASmallGradient() {
        Lbfgs.Result none = new Lbfgs(0, 10, 1e-6).minimize(LbfgsTest::rosenbrock, new double[] {-1.2, 1});
        assertEquals("max iterations reached", none.reason());
        assertArrayEquals(new double[] {-1.2, 1}, none.x());
        Lbfgs.Result there = new Lbfgs(100, 10, 1e-6).minimize(LbfgsTest::rosenbrock, new double[] {1, 1});
        assertEquals("gradient converged", there.reason());
        assertEquals(0, there.iterations());
    }

    @Test
    void aFailedStepResetsTheHistoryOnceThenGivesUp() {
        // finite only at the start: every trial step is NaN, halved ten times, and the line search fails twice
        Lbfgs.Objective cliff = (x, g) -> {
            g[0] = 1;
            return x[0] == 5 ? 5 : Double.NaN;
        };
        Lbfgs.Result r = new Lbfgs(100, 10, 1e-6).minimize(cliff, new double[] {5});
        assertEquals("line search failed", r.reason());
        assertArrayEquals(new double[] {5}, r.x());
        assertArrayEquals(new double[] {5, 5, 5}, r.history(), "the start, the reset, the failure, as Breeze's states");
    }
}
