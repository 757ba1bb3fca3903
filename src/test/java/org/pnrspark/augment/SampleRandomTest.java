package org.pnrspark.augment;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class SampleRandomTest {
    @Test
    void streamsDependOnEveryKeyAndOnlyOnThem() {
        long a = SampleRandom.forSample(5, 1, 2, 3).nextLong();
        assertEquals(a, SampleRandom.forSample(5, 1, 2, 3).nextLong());
        assertNotEquals(a, SampleRandom.forSample(6, 1, 2, 3).nextLong());
        assertNotEquals(a, SampleRandom.forSample(5, 2, 2, 3).nextLong());
        assertNotEquals(a, SampleRandom.forSample(5, 1, 3, 3).nextLong());
        assertNotEquals(a, SampleRandom.forSample(5, 1, 2, 4).nextLong());
    }

    @Test
    void shuffleIsAPermutation() {
        int[] values = new int[100];
        for (int i = 0; i < 100; i++) values[i] = i * 3;
        int[] s = SampleRandom.shuffled(values, SampleRandom.forPurpose(5, "shuffle", 0, 0));
        int[] sorted = s.clone();
        Arrays.sort(sorted);
        assertEquals(Arrays.toString(values), Arrays.toString(sorted));
        assertNotEquals(Arrays.toString(values), Arrays.toString(s));
    }
}
