package org.pnrspark.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RepeatsTest {
    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        double[] rates = {12.0, 10.0};
        assertEquals(11.0, Repeats.median(rates));
        assertEquals(10.0, Repeats.min(rates));
        assertEquals(12.0, Repeats.max(rates));
        // the repeat a split is taken from: the slower of the middle two, a real round
        assertEquals(1, Repeats.medianIndex(rates));
    }

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        double[] rates = {3.0, 9.0, 5.0, 1.0, 7.0};
        assertEquals(5.0, Repeats.median(rates));
        assertEquals(2, Repeats.medianIndex(rates));
    }
}
