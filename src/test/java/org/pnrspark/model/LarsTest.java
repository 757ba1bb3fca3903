package org.pnrspark.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** LARS against steps computed by hand from docs/reference.md §7. */
class LarsTest {
    private static INDArray vec(double... v) {
        return Nd4j.createFromArray(v).castTo(DataType.DOUBLE);
    }

    @Test
    void clippedTrustRatioScalesTheDecayedGradient() {
        INDArray w = vec(3, 4);                 // ‖w‖ = 5
        INDArray g = vec(0.6, 0.8);             // ‖g‖ = 1
        // local = 0.02·5 / (1 + 0.1·5 + 1e-8) = 0.1 / 1.5; lr = 1 → scale = min(0.0666…, 1)
        double scale = 0.02 * 5 / (1 + 0.1 * 5 + 1e-8);
        new Lars(0.02, 0.1, true, 1e-8).apply(w, g, 1.0, 0, 0);
        assertArrayEquals(new double[] {(0.6 + 0.3) * scale, (0.8 + 0.4) * scale}, g.toDoubleVector(), 1e-12);
        assertArrayEquals(new double[] {3, 4}, w.toDoubleVector(), 0, "parameters untouched");
    }

    @Test
    void clipCapsTheRatioAtOneForSmallLearningRates() {
        INDArray w = vec(3, 4);
        INDArray g = vec(0.6, 0.8);
        // local/lr = 0.0666…/0.01 > 1 → scale 1: the update is lr·(g + wd·w), plain SGD
        new Lars(0.02, 0.1, true, 1e-8).apply(w, g, 0.01, 0, 0);
        assertArrayEquals(new double[] {0.9, 1.2}, g.toDoubleVector(), 1e-12);
        // without clipping the ratio itself scales the gradient
        INDArray g2 = vec(0.6, 0.8);
        new Lars(0.02, 0.1, false, 1e-8).apply(w, g2, 0.01, 0, 0);
        double local = 0.02 * 5 / (1 + 0.5 + 1e-8);
        assertArrayEquals(new double[] {0.9 * local, 1.2 * local}, g2.toDoubleVector(), 1e-12);
    }

    @Test
    void zeroNormsLeaveTheGradientWithoutWeightDecay() {
        INDArray g = vec(0.6, 0.8);
        new Lars(0.02, 0.1, true, 1e-8).apply(vec(0, 0), g, 1.0, 0, 0);
        assertArrayEquals(new double[] {0.6, 0.8}, g.toDoubleVector(), 0);
        INDArray zero = vec(0, 0);
        new Lars(0.02, 0.1, true, 1e-8).apply(vec(3, 4), zero, 1.0, 0, 0);
        assertArrayEquals(new double[] {0, 0}, zero.toDoubleVector(), 0);
    }

    @Test
    void survivesJson() throws Exception {
        var mapper = org.deeplearning4j.nn.conf.NeuralNetConfiguration.mapper();
        Lars lars = new Lars(0.03, 1e-5, true, 1e-8);
        String json = mapper.writeValueAsString(lars);
        assertEquals(lars, mapper.readValue(json, org.nd4j.linalg.learning.regularization.Regularization.class));
    }
}
