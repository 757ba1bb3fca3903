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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Data- and domain-incremental splits: disjoint, sized as the reference's random_split, reproducible from the seed. */
class ScenariosTest {
    @Test
    void dataIncrementalPartsAreDisjointCoverEverythingAndGiveTheRemainderToTheFirst() {
        int n = 1003;
        int[] perm = DataIncrementalScenario.permutation(n, 42);
        List<TaskSplit> tasks = DataIncrementalScenario.split(5, 100, perm, 17);
        assertEquals(List.of(203, 200, 200, 200, 200),
                tasks.stream().map(t -> t.trainIndices().length).toList());
        Set<Integer> seen = new HashSet<>();
        for (TaskSplit t : tasks) {
            for (int i : t.trainIndices()) assertTrue(seen.add(i), "image " + i + " in two tasks");
            assertEquals(100, t.classes().size());
            assertEquals(17, t.testIndices().length, "every task is evaluated on the whole test split");
        }
        assertEquals(n, seen.size());
        // consecutive pieces of the permutation, as random_split cuts it
        assertArrayEquals(Arrays.copyOfRange(perm, 203, 403), tasks.get(1).trainIndices());
    }

    @Test
    void dataIncrementalSplitIsReproducibleFromItsSeedAndChangesWithIt() {
        assertArrayEquals(DataIncrementalScenario.permutation(500, 42), DataIncrementalScenario.permutation(500, 42));
        assertFalse(Arrays.equals(DataIncrementalScenario.permutation(500, 42),
                DataIncrementalScenario.permutation(500, 43)));
        int[] p = DataIncrementalScenario.permutation(500, 42);
        assertFalse(Arrays.equals(IntStream.range(0, 500).toArray(), p), "shuffled");
        assertArrayEquals(IntStream.range(0, 500).toArray(), Arrays.stream(p).sorted().toArray(), "a permutation");
    }

    @Test
    void aStoredPermutationIsCheckedAndUsedAsIs() {
        int[] p = DataIncrementalScenario.parsePermutation("split.txt", "[3, 0, 4, 1, 2]\n", 5);
        assertArrayEquals(new int[] {3, 0, 4, 1, 2}, p);
        assertArrayEquals(new int[] {3, 0, 4}, DataIncrementalScenario.split(2, 2, p, 1).get(0).trainIndices());
        for (String bad : List.of("3 0 4 1", "3 0 4 1 1", "3 0 4 1 5", "3 0 x 1 2")) {
            DataFormatException e = assertThrows(DataFormatException.class,
                    () -> DataIncrementalScenario.parsePermutation("split.txt", bad, 5));
            assertTrue(e.getMessage().startsWith("split.txt: "), e.getMessage());
        }
    }

    @Test
    void aDomainWithoutImagesIsNamed() {
        DataFormatException e = assertThrows(DataFormatException.class, () -> DomainIncrementalScenario.split(
                List.of("real", "sketch"), 3, new int[] {0, 0, 0}, new int[] {0, 1}));
        assertTrue(e.getMessage().contains("domain sketch") && e.getMessage().contains("sketch_train.txt"),
                e.getMessage());
    }
}
