package org.pnrspark.parity;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.pnrspark.loss.LossEvaluation;
import org.pnrspark.loss.LossParams;
import org.pnrspark.loss.Losses;
import org.pnrspark.loss.SslLoss;

import java.util.Map;
import java.util.Optional;

/**
 * Compares pnr-spark's loss code with a golden case. An error is the smaller of the absolute and the relative
 * difference (the golden files' tolerance is "absolute or relative error ≤ tol").
 */
public final class ParityCheck {
    private ParityCheck() {}

    /**
     * @param problem why the case could not be evaluated (unknown loss, missing input, shape mismatch), or empty
     */
    public record Outcome(GoldenCase golden, double valueError, double maxGradientError, String worstGradient,
            Optional<String> problem) {
        public boolean passes(double tol) {
            return problem.isEmpty() && valueError <= tol && maxGradientError <= tol;
        }
    }

    public static Outcome check(GoldenCase golden) {
        Optional<SslLoss> loss = Losses.byName(golden.loss());
        if (loss.isEmpty()) {
            return failed(golden, "unknown loss \"" + golden.loss() + "\" (known: " + String.join(", ", Losses.names()) + ")");
        }
        LossEvaluation.Result result;
        try {
            result = LossEvaluation.evaluate(loss.get(), golden.inputs(), new LossParams(golden.params()));
        } catch (RuntimeException e) {
            return failed(golden, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        double valueError = error(golden.value(), result.value());
        double worst = 0;
        String worstName = "";
        for (Map.Entry<String, INDArray> e : golden.grads().entrySet()) {
            INDArray actual = result.gradients().get(e.getKey());
            if (actual == null) return failed(golden, "no gradient for \"" + e.getKey() + "\": it is not a trainable input of " + golden.loss());
            if (!java.util.Arrays.equals(actual.shape(), e.getValue().shape())) {
                return failed(golden, "gradient \"" + e.getKey() + "\" has shape " + java.util.Arrays.toString(actual.shape())
                        + ", golden " + java.util.Arrays.toString(e.getValue().shape()));
            }
            double[] exp = e.getValue().dup().data().asDouble();
            double[] act = actual.dup().data().asDouble();
            for (int i = 0; i < exp.length; i++) {
                double err = error(exp[i], act[i]);
                if (err > worst || Double.isNaN(err)) {
                    worst = err;
                    worstName = e.getKey();
                }
            }
        }
        return new Outcome(golden, valueError, worst, worstName, Optional.empty());
    }

    private static Outcome failed(GoldenCase golden, String problem) {
        return new Outcome(golden, Double.NaN, Double.NaN, "", Optional.of(problem));
    }

    static double error(double expected, double actual) {
        if (Double.isNaN(actual) || Double.isInfinite(actual)) return Double.POSITIVE_INFINITY;
        double abs = Math.abs(expected - actual);
        double rel = expected == 0 ? abs : abs / Math.abs(expected);
        return Math.min(abs, rel);
    }
}
