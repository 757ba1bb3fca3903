package org.pnrspark.util;

import org.apache.spark.SparkContext;

/**
 * The description Spark's UI and event log give every job the calling thread starts (the task and phase of a run:
 * "task 2/5 · evaluation · features"), set for a phase and restored after it, so that no job of a run goes unnamed.
 */
public final class JobDescription implements AutoCloseable {
    /** Spark's local property behind {@link SparkContext#setJobDescription}. */
    static final String PROPERTY = "spark.job.description";

    private final SparkContext sc;
    private final String previous;

    private JobDescription(SparkContext sc, String description) {
        this.sc = sc;
        this.previous = sc.getLocalProperty(PROPERTY);
        sc.setJobDescription(description);
    }

    /** Names the jobs started until {@link #close()}. */
    public static JobDescription of(SparkContext sc, String description) {
        return new JobDescription(sc, description);
    }

    @Override
    public void close() {
        sc.setJobDescription(previous);
    }
}
