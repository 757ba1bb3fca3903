package org.pnrspark.report;

import org.pnrspark.config.JobConfig;

import java.util.List;

/** A finished (or partly finished) run: its configuration, where it wrote, and one result per completed task. */
public record RunResult(JobConfig config, String outputDir, List<TaskResult> tasks, double seconds,
        String sparkVersion, String master, int workers) {
    /** The accuracy matrix A[t][i]: accuracy on task i's classes after training task t. */
    public double[][] accuracyMatrix() {
        return tasks.stream().map(TaskResult::accuracy).toArray(double[][]::new);
    }

    /** Accuracy on all classes after the last completed task (the headline number of the papers). */
    public double finalAccuracy() {
        return tasks.isEmpty() ? Double.NaN : tasks.get(tasks.size() - 1).accuracyAll();
    }
}
