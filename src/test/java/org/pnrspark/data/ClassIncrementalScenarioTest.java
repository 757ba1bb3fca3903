package org.pnrspark.data;

import org.junit.jupiter.api.Test;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassIncrementalScenarioTest {
    @Test
    void tasksTakeOnlyTheirClassesInFileOrder() {
        JobConfig.Scenario s = ConfigLoader.load(List.of(), List.of("scenario.tasks=5",
                "scenario.class_order=[3,1,4,0,5,9,2,6,8,7]")).scenario();
        int[] train = new int[200];
        int[] test = new int[50];
        for (int i = 0; i < train.length; i++) train[i] = (i * 7) % 10;
        for (int i = 0; i < test.length; i++) test[i] = i % 10;
        List<TaskSplit> tasks = ClassIncrementalScenario.split(s, train, test);
        assertEquals(5, tasks.size());
        assertEquals(List.of(3, 1), tasks.get(0).classes());
        assertEquals(List.of(8, 7), tasks.get(4).classes());
        Set<Integer> seen = new HashSet<>();
        for (TaskSplit t : tasks) {
            assertEquals(40, t.trainIndices().length);
            assertEquals(10, t.testIndices().length);
            int prev = -1;
            for (int i : t.trainIndices()) {
                assertTrue(t.classes().contains(train[i]), "task " + t.task() + " holds only its classes");
                assertTrue(i > prev, "file order");
                assertTrue(seen.add(i), "disjoint");
                prev = i;
            }
        }
        assertEquals(200, seen.size());
    }

    @Test
    void aTaskWithoutImagesIsAnError() {
        JobConfig.Scenario s = ConfigLoader.load(List.of(), List.of("scenario.tasks=2")).scenario();
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> ClassIncrementalScenario.split(s, new int[] {0, 1, 2}, new int[] {0}));
        assertTrue(e.getMessage().contains("task 1 (classes [5, 6, 7, 8, 9]) has no training images"), e.getMessage());
    }
}
