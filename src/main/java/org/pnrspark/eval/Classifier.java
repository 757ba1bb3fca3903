package org.pnrspark.eval;

import org.pnrspark.config.JobConfig;

/**
 * The classifiers an evaluation fits on the frozen encoder's features (docs/reference.md §8), each with the names
 * its results go by in results.json, the CSV files, the console and the report.
 */
public enum Classifier {
    /** The linear probe ({@code eval.linear_probe}): the papers' headline accuracy. */
    LINEAR("linear probe", "Linear probe", "", "probe_seconds"),
    /** Weighted k-NN on the same features ({@code eval.knn}). */
    KNN("k-NN", "k-NN", "knn_", "knn_seconds");

    private final String label;
    private final String title;
    private final String prefix;
    private final String secondsKey;

    Classifier(String label, String title, String prefix, String secondsKey) {
        this.label = label;
        this.title = title;
        this.prefix = prefix;
        this.secondsKey = secondsKey;
    }

    /** Its name on the console and in the report. */
    public String label() {
        return label;
    }

    /** Its name at the start of a title. */
    public String title() {
        return title;
    }

    /** Whether the configuration runs it (the linear probe always does). */
    public boolean enabled(JobConfig.Eval eval) {
        return this == LINEAR || eval.knn().enabled();
    }

    /** results.json: an evaluation's accuracy on each task's classes. */
    public String accuracyKey() {
        return prefix + "accuracy";
    }

    /** results.json: an evaluation's accuracy on all classes. */
    public String accuracyAllKey() {
        return prefix + "accuracy_all";
    }

    /** results.json: the seconds it took in an evaluation. */
    public String secondsKey() {
        return secondsKey;
    }

    /** results.json: the accuracy matrix. */
    public String matrixKey() {
        return prefix + "accuracy_matrix";
    }

    /** results.json: the continual metrics. */
    public String metricsKey() {
        return prefix + "metrics";
    }

    /** The accuracy matrix as a CSV file. */
    public String csvFile() {
        return prefix + "accuracy.csv";
    }
}
