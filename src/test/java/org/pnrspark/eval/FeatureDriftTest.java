package org.pnrspark.eval;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.data.TaskSplit;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureDriftTest {
    private static final float[][] BEFORE = {{1, 0, 2}, {0, 1, 1}, {2, 2, 0}, {1, 3, 1}, {0, 0, 1}, {3, 1, 2}};
    private static final float[][] AFTER = {{1, 1, 2}, {0, 2, 1}, {1, 2, 0}, {2, 3, 0}, {0, 1, 1}, {3, 0, 2}};
    private static final List<TaskSplit> TASKS = List.of(
            new TaskSplit(0, List.of(0), new int[0], new int[] {0, 2, 4}),
            new TaskSplit(1, List.of(1), new int[0], new int[] {1, 3, 5}));

    /**
     * Expected values from numpy on the same matrices (mean of 1 - cos; 1 - ||YᵀX||² / (||XᵀX|| ||YᵀY||) after
     * centring), the CKA also from PyTorch through the kernel form 1 - HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L)).
     */
    @Test
    void matchesAnIndependentComputation() {
        FeatureDrift d = FeatureDrift.between(set(BEFORE), set(AFTER), TASKS);
        assertEquals(0.09986089514498613, d.cosineAll(), 1e-6);
        assertEquals(0.16682489319605132, d.ckaAll(), 1e-6);
        assertArrayEquals(new double[] {0.14377966386255395, 0.05594212642741828}, d.cosine(), 1e-6);
        assertArrayEquals(new double[] {0.0731448858184125, 0.005552370370249471}, d.cka(), 1e-6);
        assertTrue(d.measured());
    }

    @Test
    void unmovedFeaturesHaveNoDrift() {
        FeatureDrift d = FeatureDrift.between(set(BEFORE), set(BEFORE), TASKS);
        assertEquals(0, d.cosineAll(), 1e-7);
        assertEquals(0, d.ckaAll(), 1e-7);
        assertArrayEquals(new double[] {0, 0}, d.cosine(), 1e-7);
    }

    /** Cosine distance ignores each image's scale; CKA ignores a rotation and a scaling of the whole space. */
    @Test
    void eachMeasureIgnoresWhatItShould() {
        float[][] scaledRows = new float[BEFORE.length][];
        float[][] rotated = new float[BEFORE.length][];
        for (int i = 0; i < BEFORE.length; i++) {
            float s = 0.5f + i;
            float[] r = BEFORE[i];
            scaledRows[i] = new float[] {s * r[0], s * r[1], s * r[2]};
            // a rotation by 90 degrees in the plane of the first two features, times 3
            rotated[i] = new float[] {-3 * r[1], 3 * r[0], 3 * r[2]};
        }
        assertEquals(0, FeatureDrift.between(set(BEFORE), set(scaledRows), TASKS).cosineAll(), 1e-6);
        FeatureDrift rotation = FeatureDrift.between(set(BEFORE), set(rotated), TASKS);
        assertEquals(0, rotation.ckaAll(), 1e-6);
        assertTrue(rotation.cosineAll() > 0.3, "a rotation changes every image's direction: " + rotation.cosineAll());
    }

    @Test
    void notMeasuredIsNaNAndFeaturesOfOtherImagesAreRefused() {
        FeatureDrift none = FeatureDrift.none(3);
        assertFalse(none.measured());
        assertEquals(3, none.cosine().length);
        assertTrue(Double.isNaN(none.cka()[2]));
        FeatureSet fewer = set(new float[][] {{1, 0, 2}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureDrift.between(set(BEFORE), fewer, TASKS));
        assertTrue(e.getMessage().contains("6 x 3"), e.getMessage());
    }

    private static FeatureSet set(float[][] rows) {
        INDArray features = Nd4j.create(rows).castTo(DataType.FLOAT);
        return new FeatureSet(features, new int[rows.length]);
    }
}
