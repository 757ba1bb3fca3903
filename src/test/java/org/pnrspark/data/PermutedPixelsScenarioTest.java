package org.pnrspark.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The permuted-pixels scenario: its parts, its pixel orders and the shuffle itself. */
class PermutedPixelsScenarioTest {
    @Test
    void trainingPartsAreTheDataIncrementalOnesAndTestPartsCoverTheTestSplit() {
        List<TaskSplit> tasks = PermutedPixelsScenario.split(3, 10, 1003, 301, 42);
        int[] permutation = DataIncrementalScenario.permutation(1003, 42);
        List<TaskSplit> dataIl = DataIncrementalScenario.split(3, 10, permutation, 301);
        Set<Integer> test = new HashSet<>();
        for (int t = 0; t < 3; t++) {
            TaskSplit task = tasks.get(t);
            assertArrayEquals(sorted(dataIl.get(t).trainIndices()), task.trainIndices(), "task " + t);
            assertEquals(10, task.classes().size());
            for (int i : task.testIndices()) assertTrue(test.add(i), "test image " + i + " in two parts");
            assertEquals(t == 0 ? 101 : 100, task.testIndices().length, "the remainder to part 0");
        }
        assertEquals(301, test.size());
        assertTrue(tasks.get(0).description().contains("pixels as they are"), tasks.get(0).description());
        assertTrue(tasks.get(2).description().contains("pixels shuffled (domain 2)"), tasks.get(2).description());
        // the test split's parts come from a stream of their own: not the training split's pattern at equal sizes
        assertFalse(Arrays.equals(PermutedPixelsScenario.domains(301, 3, 42, false),
                PermutedPixelsScenario.domains(301, 3, 42, true)));
        assertArrayEquals(PermutedPixelsScenario.domains(301, 3, 42, true),
                PermutedPixelsScenario.domains(301, 3, 42, true), "reproducible");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> PermutedPixelsScenario.split(4, 10, 1000, 3, 42));
        assertTrue(e.getMessage().contains("scenario.tasks = 4"), e.getMessage());
    }

    @Test
    void domainZeroKeepsThePixelsAndEveryOtherDomainHasAShuffleOfItsOwn() {
        int[][] orders = PermutedPixelsScenario.pixelOrders(3, 784, 42);
        assertNull(orders[0]);
        for (int d = 1; d < 3; d++) {
            assertNotNull(orders[d]);
            assertArrayEquals(IntStream.range(0, 784).toArray(), sorted(orders[d]), "a permutation");
            assertFalse(Arrays.equals(IntStream.range(0, 784).toArray(), orders[d]), "not the identity");
        }
        assertFalse(Arrays.equals(orders[1], orders[2]));
        assertArrayEquals(orders[1], PermutedPixelsScenario.pixelOrder(1, 784, 42));
        assertFalse(Arrays.equals(orders[1], PermutedPixelsScenario.pixelOrder(1, 784, 43)), "drawn from split_seed");
    }

    @Test
    void theShuffleMovesEveryChannelAlike() {
        float[] data = {9, 0, 1, 2, 3, 10, 11, 12, 13, 9};
        PermutedPixelsScenario.shuffle(data, 1, 2, new int[] {2, 0, 3, 1}, new float[4]);
        assertArrayEquals(new float[] {9, 2, 0, 3, 1, 12, 10, 13, 11, 9}, data);
    }

    private static int[] sorted(int[] a) {
        int[] s = a.clone();
        Arrays.sort(s);
        return s;
    }
}
