package org.pnrspark.eval;

/**
 * What evaluating one encoder gave: per-task and all-class accuracies of the linear probe and of k-NN (NaN when
 * k-NN is off), the seconds it took, and their parts: the features (extracted and collected), the linear probe, k-NN
 * (NaN where unknown: results written before the parts were recorded).
 */
public record Evaluation(double[] accuracy, double accuracyAll, double[] knnAccuracy, double knnAccuracyAll,
        double seconds, double featureSeconds, double probeSeconds, double knnSeconds) {}
