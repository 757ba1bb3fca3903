package org.pnrspark.eval;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * What evaluating one encoder gave, per classifier: its accuracy on each task's classes and on all classes (NaN
 * when it did not run) and its seconds; the evaluation's seconds, and those of the features (extracted and
 * collected). NaN where unknown: results written before the parts were recorded. The drift of the features from the
 * model the task started from ({@link FeatureDrift#none} after random init and task 0, or when not measured).
 */
public record Evaluation(Map<Classifier, Scores> scores, double seconds, double featureSeconds, FeatureDrift drift) {
    /** One classifier's result. */
    public record Scores(double[] perTask, double all, double seconds) {
        /** A classifier that did not run, over {@code tasks} tasks: NaN accuracies, no time. */
        static Scores none(int tasks) {
            double[] nan = new double[tasks];
            Arrays.fill(nan, Double.NaN);
            return new Scores(nan, Double.NaN, 0);
        }
    }

    public Evaluation {
        scores = new EnumMap<>(scores);
        if (!scores.keySet().containsAll(Arrays.asList(Classifier.values()))) {
            throw new IllegalArgumentException("an evaluation has a result for every classifier, got " + scores.keySet());
        }
        java.util.Objects.requireNonNull(drift, "drift (FeatureDrift.none when not measured)");
    }

    public Scores of(Classifier c) {
        return scores.get(c);
    }

    /** The linear probe's accuracy on each task's classes. */
    public double[] accuracy() {
        return of(Classifier.LINEAR).perTask();
    }

    /** The linear probe's accuracy on all classes. */
    public double accuracyAll() {
        return of(Classifier.LINEAR).all();
    }
}
