package org.pnrspark.report;

import org.pnrspark.eval.Evaluation;

import java.util.List;

/**
 * What training and evaluating one task produced: row {@code task} of the accuracy matrix and the figures of its
 * training.
 *
 * @param curve      one point per epoch
 * @param evaluation the linear probe and k-NN after this task; accuracies in [0, 1]
 * @param checkpointSeconds the time writing the task's checkpoint (NaN when read from a file written before it was
 *                          recorded)
 * @param frozenModelSha256 SHA-256 of the parameters of the frozen previous model this task trained with (the
 *                          previous task's encoder and projector), or null when the task had none
 */
public record TaskResult(
        int task,
        List<Integer> classes,
        String objective,
        int trainImages,
        int epochs,
        int steps,
        double finalLoss,
        List<EpochFigures> curve,
        double trainSeconds,
        double imagesPerSecond,
        Evaluation evaluation,
        String checkpoint,
        String checkpointSha256,
        double checkpointSeconds,
        String frozenModelSha256) {

    /** Linear-probe accuracy on the test images of each task's classes after this task. */
    public double[] accuracy() {
        return evaluation.accuracy();
    }

    /** Linear-probe accuracy on all test images after this task. */
    public double accuracyAll() {
        return evaluation.accuracyAll();
    }

    /**
     * How far this task moved the features of the previous task's test images (cosine distance, or CKA distance);
     * NaN for task 0 and when not measured.
     */
    public double previousTaskDrift(boolean ckaDistance) {
        return evaluation.drift().previousTask(task, ckaDistance);
    }

    /**
     * The mean of {@link #previousTaskDrift} (CKA distance, the measure distillation is seen to keep small; the
     * cosine distance is not, docs/results.md "Feature drift") over the tasks where it was measured; NaN if none.
     */
    static double meanPreviousTaskDrift(List<TaskResult> tasks) {
        return tasks.stream().mapToDouble(t -> t.previousTaskDrift(true)).filter(Double::isFinite).average()
                .orElse(Double.NaN);
    }
}
