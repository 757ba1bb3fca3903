package org.pnrspark.data;

import org.pnrspark.config.JobConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Class-incremental split (docs/reference.md §1.2): the class order is cut into T equal slices; task t trains only on
 * the training images whose label is in slice t. Indices keep file order.
 */
public final class ClassIncrementalScenario {
    private ClassIncrementalScenario() {}

    public static List<TaskSplit> split(JobConfig.Scenario scenario, int[] trainLabels, int[] testLabels) {
        int numClasses = scenario.classOrder().size();
        int[] taskOfClass = new int[numClasses];
        for (int t = 0; t < scenario.tasks(); t++) {
            for (int c : scenario.classesOfTask(t)) taskOfClass[c] = t;
        }
        List<TaskSplit> tasks = new ArrayList<>();
        for (int t = 0; t < scenario.tasks(); t++) {
            int[] train = indicesOfTask(trainLabels, taskOfClass, t);
            int[] test = indicesOfTask(testLabels, taskOfClass, t);
            if (train.length == 0) {
                throw new DataFormatException("task " + t + " (classes " + scenario.classesOfTask(t)
                        + ") has no training images: check data.root and data.max_train_per_class");
            }
            tasks.add(new TaskSplit(t, List.copyOf(scenario.classesOfTask(t)), train, test));
        }
        return tasks;
    }

    private static int[] indicesOfTask(int[] labels, int[] taskOfClass, int task) {
        int[] out = new int[labels.length];
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            if (taskOfClass[labels[i]] == task) out[n++] = i;
        }
        return Arrays.copyOf(out, n);
    }
}
