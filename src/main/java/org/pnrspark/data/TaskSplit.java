package org.pnrspark.data;

import java.io.Serializable;
import java.util.List;

/**
 * The images of one task: its classes and the indices of its training and test images in their splits.
 * Test indices are used to compute the task's column of the accuracy matrix.
 *
 * @param description what the task holds, for the progress log ("classes [3, 1]", "domain real")
 */
public record TaskSplit(int task, List<Integer> classes, int[] trainIndices, int[] testIndices, String description)
        implements Serializable {
    public TaskSplit(int task, List<Integer> classes, int[] trainIndices, int[] testIndices) {
        this(task, classes, trainIndices, testIndices, "classes " + classes);
    }
}
