package org.pnrspark.report;

import java.util.List;

/**
 * What training and evaluating one task produced: row {@code task} of the accuracy matrix and the figures of its
 * training.
 *
 * @param accuracy    linear-probe accuracy on the test images of each task's classes after this task, in [0, 1]
 * @param accuracyAll linear-probe accuracy on all test images after this task
 * @param epochLosses mean training loss of each epoch
 */
public record TaskResult(
        int task,
        List<Integer> classes,
        String objective,
        int trainImages,
        int epochs,
        int steps,
        double finalLoss,
        double[] epochLosses,
        double trainSeconds,
        double imagesPerSecond,
        double probeSeconds,
        double[] accuracy,
        double accuracyAll,
        String checkpoint,
        String checkpointSha256) {}
