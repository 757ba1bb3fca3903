package org.pnrspark.data;

import java.io.Serializable;
import java.util.List;

/**
 * The images of one task: its classes and the indices of its training and test images in their splits.
 * Test indices are used to compute the task's column of the accuracy matrix.
 */
public record TaskSplit(int task, List<Integer> classes, int[] trainIndices, int[] testIndices)
        implements Serializable {}
