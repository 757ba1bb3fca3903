package org.pnrspark.report;

import org.pnrspark.config.JobConfig;
import org.pnrspark.eval.Classifier;
import org.pnrspark.eval.ContinualMetrics;
import org.pnrspark.eval.Evaluation;

import java.util.List;

/**
 * A finished (or partly finished) run: its configuration, where it wrote, the randomly initialised encoder's
 * evaluation (null when not made) and one result per completed task.
 *
 * @param seconds   the wall time of the run's sessions (total_seconds)
 * @param timeSplit where {@code seconds} went
 */
public record RunResult(JobConfig config, String outputDir, Evaluation randomInit, List<TaskResult> tasks,
        double seconds, TimeSplit timeSplit, String sparkVersion, String master, int workers) {
    /** The accuracy matrix A[t][i] of a classifier: its accuracy on task i's classes after training task t. */
    public double[][] matrix(Classifier c) {
        return tasks.stream().map(t -> t.evaluation().of(c).perTask()).toArray(double[][]::new);
    }

    /**
     * Augmented views (two per image) trained per second over the completed tasks: all their views over all their
     * train_seconds, as each task's images_per_second; NaN before the first task.
     */
    public double trainingImagesPerSecond() {
        double views = 0, seconds = 0;
        for (TaskResult t : tasks) {
            // every step trains one minibatch on every worker, two views of each image
            views += 2.0 * t.steps() * workers * config.spark().batchSizePerWorker();
            seconds += t.trainSeconds();
        }
        return seconds > 0 ? views / seconds : Double.NaN;
    }

    /** Linear-probe accuracy on all classes after the last completed task (the headline number of the papers). */
    public double finalAccuracy() {
        return tasks.isEmpty() ? Double.NaN : tasks.get(tasks.size() - 1).accuracyAll();
    }

    /** The mean over the tasks from task 1 on of {@link TaskResult#previousTaskDrift} (CKA distance); NaN if none. */
    public double meanPreviousTaskDrift() {
        return TaskResult.meanPreviousTaskDrift(tasks);
    }

    /** The continual metrics of a classifier's accuracy matrix. */
    public ContinualMetrics metrics(Classifier c) {
        double last = tasks.isEmpty() ? Double.NaN : tasks.get(tasks.size() - 1).evaluation().of(c).all();
        return ContinualMetrics.of(matrix(c), last, randomInit == null ? null : randomInit.of(c).perTask());
    }
}
