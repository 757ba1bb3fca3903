package org.pnrspark.eval;

import org.pnrspark.data.TaskSplit;

import java.util.List;

/** Accuracies read off the probe's predictions: per task (its test images, predictions over all classes) and overall. */
public final class Accuracy {
    private Accuracy() {}

    /** One row of the accuracy matrix: accuracy on each task's test images, in [0, 1]. */
    public static double[] perTask(List<TaskSplit> tasks, int[] testLabels, int[] predicted) {
        double[] row = new double[tasks.size()];
        for (TaskSplit task : tasks) row[task.task()] = onIndices(task.testIndices(), testLabels, predicted);
        return row;
    }

    /** Accuracy over every test image. */
    public static double overall(int[] testLabels, int[] predicted) {
        int correct = 0;
        for (int i = 0; i < testLabels.length; i++) if (predicted[i] == testLabels[i]) correct++;
        return testLabels.length == 0 ? Double.NaN : (double) correct / testLabels.length;
    }

    static double onIndices(int[] indices, int[] testLabels, int[] predicted) {
        if (indices.length == 0) return Double.NaN;
        int correct = 0;
        for (int i : indices) if (predicted[i] == testLabels[i]) correct++;
        return (double) correct / indices.length;
    }
}
