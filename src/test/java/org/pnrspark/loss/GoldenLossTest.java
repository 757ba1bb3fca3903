package org.pnrspark.loss;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.pnrspark.parity.GoldenCase;
import org.pnrspark.parity.GoldenVectors;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every loss equals the reference's golden value and gradients in float64 (≤ 1e-6), for every case. */
class GoldenLossTest {
    private static final double TOL = 1e-6;

    static List<GoldenCase> cases() {
        try (InputStream in = GoldenLossTest.class.getResourceAsStream("/golden/losses-reference.json")) {
            return GoldenVectors.read("losses-reference.json", in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void allThirteenFamiliesAreCoveredAndImplemented() {
        var families = new TreeSet<String>();
        for (GoldenCase c : cases()) families.add(c.loss());
        assertEquals(new TreeSet<>(List.of("nt_xent", "simclr_pnr", "cassle_contrastive", "byol", "cassle_predictive",
                "byol_pnr", "barlow", "cassle_decorrelative", "barlow_pnr", "vicreg", "vicreg_pnr", "moco", "moco_pnr")),
                families);
        for (String f : families) assertTrue(Losses.byName(f).isPresent(), f + " is implemented");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesReference(GoldenCase golden) {
        SslLoss loss = Losses.require(golden.loss());
        LossEvaluation.Result result = LossEvaluation.evaluate(loss, golden.inputs(), new LossParams(golden.params()));
        assertClose(golden.value(), result.value(), golden.name() + " value");
        assertEquals(golden.grads().keySet(), result.gradients().keySet(), golden.name() + " gradient inputs");
        for (Map.Entry<String, INDArray> e : golden.grads().entrySet()) {
            INDArray actual = result.gradients().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), actual.shape(), golden.name() + " d/d" + e.getKey() + " shape");
            double[] exp = e.getValue().dup().data().asDouble();
            double[] act = actual.dup().data().asDouble();
            for (int i = 0; i < exp.length; i++) assertClose(exp[i], act[i], golden.name() + " d/d" + e.getKey() + "[" + i + "]");
        }
    }

    static void assertClose(double expected, double actual, String what) {
        double err = Math.abs(expected - actual);
        assertTrue(err <= TOL || err <= TOL * Math.abs(expected),
                what + ": expected " + expected + ", got " + actual + " (error " + err + ")");
    }
}
