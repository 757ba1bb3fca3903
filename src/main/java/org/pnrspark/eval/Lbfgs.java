package org.pnrspark.eval;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * L-BFGS as Breeze 2.1 runs it for Spark MLlib's LogisticRegression ({@code new LBFGS(maxIter, 10, tol)}): the
 * two-loop recursion over the last m steps, scaled by s·y / y·y of the newest; a strong Wolfe line search (c1 1e-4,
 * c2 0.9, at most 10 trials and 10 zoom steps, cubic interpolation kept within 10–90 % of the bracket, steps grown
 * by 1.5) starting from 1 / |direction| at the first iteration and from 1 after; a failed step resets the history
 * once, a second failure in a row ends the run; it stops after maxIter iterations, when the value has moved by at
 * most tol × |initial value| over the last 20 iterations, or when |gradient| ≤ max(tol × |value|, 1e-8).
 *
 * <p>Breeze itself cannot be handed a Java objective: its DiffFunction trait declares {@code apply} returning a
 * double where Scala's Function1 returns an Object, which javac (and java.lang.reflect.Proxy) refuse.
 */
final class Lbfgs {
    /** Breeze's constants for MLlib's use. */
    static final int LINE_SEARCH_TRIALS = 10, ZOOM_STEPS = 10, VALUE_HISTORY = 20;
    static final double C1 = 1e-4, C2 = 0.9;

    /** A differentiable function: returns f(x) and writes its gradient into {@code gradient}. */
    interface Objective {
        double evaluate(double[] x, double[] gradient);
    }

    /**
     * @param x         the last iterate
     * @param history   the value at every state Breeze's iterator yields (the start, each iteration, each reset
     *                  after a failed step), as MLlib's objectiveHistory
     * @param iterations the iterations taken
     * @param reason    why it stopped
     */
    record Result(double[] x, double value, double[] history, int iterations, String reason) {}

    private final int maxIter;
    private final int memory;
    private final double tolerance;

    Lbfgs(int maxIter, int memory, double tolerance) {
        this.maxIter = maxIter;
        this.memory = memory;
        this.tolerance = tolerance;
    }

    Result minimize(Objective f, double[] init) {
        int n = init.length;
        double[] x = init.clone();
        double[] grad = new double[n];
        double value = f.evaluate(x, grad);
        double initialValue = value;
        Deque<double[]> steps = new ArrayDeque<>(), gradDeltas = new ArrayDeque<>();
        List<Double> recent = new ArrayList<>(List.of(Double.POSITIVE_INFINITY));
        List<Double> history = new ArrayList<>(List.of(value));
        int iter = 0;
        boolean failedOnce = false, searchFailed = false;
        String reason;
        while ((reason = converged(iter, value, grad, initialValue, recent, searchFailed)) == null) {
            try {
                double[] dir = direction(grad, steps, gradDeltas);
                Point next = lineSearch(f, x, value, grad, dir, iter == 0 ? 1 / norm(dir) : 1.0);
                if (next.t * norm(grad) < 1e-10) throw new StepFailed("step size underflow");
                double[] step = new double[n], gradDelta = new double[n];
                for (int i = 0; i < n; i++) {
                    step[i] = next.x[i] - x[i];
                    gradDelta[i] = next.grad[i] - grad[i];
                }
                steps.addFirst(step);
                gradDeltas.addFirst(gradDelta);
                if (steps.size() > memory) {
                    steps.removeLast();
                    gradDeltas.removeLast();
                }
                recent.add(next.value);
                if (recent.size() > VALUE_HISTORY) recent.remove(0);
                x = next.x;
                grad = next.grad;
                value = next.value;
                iter++;
                failedOnce = false;
            } catch (StepFailed e) {
                // Breeze: reset the history once (the same state is yielded again), give up on a second failure
                if (!failedOnce) {
                    failedOnce = true;
                    steps.clear();
                    gradDeltas.clear();
                } else {
                    searchFailed = true;
                }
            }
            history.add(value);
        }
        return new Result(x, value, history.stream().mapToDouble(Double::doubleValue).toArray(), iter, reason);
    }

    private String converged(int iter, double value, double[] grad, double initialValue, List<Double> recent,
            boolean searchFailed) {
        if (iter >= maxIter && maxIter >= 0) return "max iterations reached";
        if (recent.size() >= 2) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : recent) max = Math.max(max, v);
            if (Math.abs(value - max) <= tolerance * Math.abs(initialValue)) return "function values converged";
        }
        if (norm(grad) <= Math.max(tolerance * Math.abs(value), 1e-8)) return "gradient converged";
        return searchFailed ? "line search failed" : null;
    }

    /** −H·grad by the two-loop recursion, H the inverse Hessian approximated from the remembered steps. */
    private static double[] direction(double[] grad, Deque<double[]> steps, Deque<double[]> gradDeltas) {
        int m = steps.size();
        double[][] s = steps.toArray(new double[0][]), y = gradDeltas.toArray(new double[0][]);
        double diag = 1.0;
        if (m > 0) {
            double sy = dot(s[0], y[0]), yy = dot(y[0], y[0]);
            if (sy < 0 || Double.isNaN(sy)) throw new StepFailed("NaN or negative curvature in the history");
            diag = sy / yy;
        }
        double[] dir = grad.clone();
        double[] as = new double[m], rho = new double[m];
        for (int i = 0; i < m; i++) {
            rho[i] = dot(s[i], y[i]);
            as[i] = dot(s[i], dir) / rho[i];
            if (Double.isNaN(as[i])) throw new StepFailed("NaN in the history");
            axpy(-as[i], y[i], dir);
        }
        for (int i = 0; i < dir.length; i++) dir[i] *= diag;
        for (int i = m - 1; i >= 0; i--) {
            double beta = dot(y[i], dir) / rho[i];
            axpy(as[i] - beta, s[i], dir);
        }
        for (int i = 0; i < dir.length; i++) dir[i] = -dir[i];
        return dir;
    }

    /** A point x + t·dir of the line, its value, gradient and directional derivative. */
    private record Point(double t, double[] x, double value, double[] grad, double slope) {}

    private static Point at(Objective f, double[] x, double[] dir, double t) {
        double[] p = new double[x.length];
        for (int i = 0; i < p.length; i++) p[i] = dir[i] * t + x[i];
        double[] g = new double[x.length];
        double v = f.evaluate(p, g);
        return new Point(t, p, v, g, dot(g, dir));
    }

    /** Breeze's StrongWolfeLineSearch(10, 10) without a bound (Nocedal & Wright, p. 60). */
    private static Point lineSearch(Objective f, double[] x, double value, double[] grad, double[] dir, double init) {
        Point low = new Point(0, x, value, grad, dot(grad, dir));
        double slope = low.slope;
        if (slope > 0) throw new StepFailed("line search along a non-descent direction");
        double t = init;
        for (int i = 0; i < LINE_SEARCH_TRIALS; i++) {
            Point c = at(f, x, dir, t);
            if (Double.isInfinite(c.value) || Double.isNaN(c.value)) {
                t /= 2;
                continue;
            }
            if (c.value > value + C1 * t * slope || (c.value >= low.value && i > 0)) {
                return zoom(f, x, dir, value, slope, low, c);
            }
            if (Math.abs(c.slope) <= C2 * Math.abs(slope)) return c;
            if (c.slope >= 0) return zoom(f, x, dir, value, slope, c, low);
            low = c;
            t *= 1.5;
        }
        throw new StepFailed("line search failed");
    }

    private static Point zoom(Objective f, double[] x, double[] dir, double value, double slope, Point low, Point hi) {
        for (int i = 0; i < ZOOM_STEPS; i++) {
            double t = low.t > hi.t ? interpolate(hi, low) : interpolate(low, hi);
            Point c = at(f, x, dir, t);
            if (c.value > value + C1 * c.t * slope || c.value >= low.value) {
                hi = c;
            } else {
                if (Math.abs(c.slope) <= C2 * Math.abs(slope)) return c;
                if (c.slope * (hi.t - low.t) >= 0) hi = low;
                low = c;
            }
        }
        throw new StepFailed("line search zoom failed");
    }

    /** The minimiser of the cubic through both ends' values and slopes, kept within 10–90 % of [l, r]. */
    private static double interpolate(Point l, Point r) {
        double d1 = l.slope + r.slope - 3 * (l.value - r.value) / (l.t - r.t);
        double d2 = Math.sqrt(d1 * d1 - l.slope * r.slope);
        double t = r.t - (r.t - l.t) * (r.slope + d2 - d1) / (r.slope - l.slope + 2 * d2);
        double lower = l.t + 0.1 * (r.t - l.t), upper = l.t + 0.9 * (r.t - l.t);
        return t < lower ? lower : t > upper ? upper : t;
    }

    /** What Breeze's FirstOrderException stands for: this iteration's step could not be taken. */
    private static final class StepFailed extends RuntimeException {
        StepFailed(String message) {
            super(message, null, false, false);
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static void axpy(double alpha, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) y[i] += alpha * x[i];
    }
}
