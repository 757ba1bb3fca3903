package org.pnrspark.eval;

import org.junit.jupiter.api.Test;
import org.pnrspark.data.TaskSplit;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AccuracyTest {
    @Test
    void perTaskUsesEachTasksTestImagesAndAllClassPredictions() {
        int[] labels = {0, 1, 2, 3, 0, 1, 2, 3};
        int[] predicted = {0, 1, 3, 2, 0, 0, 2, 3};
        List<TaskSplit> tasks = List.of(
                new TaskSplit(0, List.of(0, 1), new int[0], new int[] {0, 1, 4, 5}),
                new TaskSplit(1, List.of(2, 3), new int[0], new int[] {2, 3, 6, 7}));
        assertArrayEquals(new double[] {0.75, 0.5}, Accuracy.perTask(tasks, labels, predicted), 1e-12);
        assertEquals(5 / 8.0, Accuracy.overall(labels, predicted), 1e-12);
    }
}
