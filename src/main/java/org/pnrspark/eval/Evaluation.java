package org.pnrspark.eval;

/**
 * What evaluating one encoder gave: per-task and all-class accuracies of the linear probe and of k-NN (NaN when
 * k-NN is off), and the time each part took.
 */
public record Evaluation(double[] accuracy, double accuracyAll, double[] knnAccuracy, double knnAccuracyAll,
        double featureSeconds, double probeSeconds, double knnSeconds) {
    public double seconds() {
        return featureSeconds + probeSeconds + knnSeconds;
    }
}
