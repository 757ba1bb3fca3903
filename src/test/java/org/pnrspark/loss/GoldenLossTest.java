package org.pnrspark.loss;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.pnrspark.testutil.GoldenCases;
import org.pnrspark.testutil.GoldenCases.Case;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every implemented loss equals the reference's golden value and gradients in float64 (≤ 1e-6). */
class GoldenLossTest {
    private static final double TOL = 1e-6;

    static List<Case> implementedCases() {
        return GoldenCases.all().stream().filter(c -> Losses.byName(c.loss()).isPresent()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementedCases")
    void matchesReference(Case golden) {
        SslLoss loss = Losses.require(golden.loss());
        LossEvaluation.Result result = LossEvaluation.evaluate(loss, golden.inputs(), new LossParams(golden.params()));
        assertClose(golden.value(), result.value(), golden.name() + " value");
        assertEquals(golden.grads().keySet(), result.gradients().keySet(), golden.name() + " gradient inputs");
        for (Map.Entry<String, INDArray> e : golden.grads().entrySet()) {
            INDArray actual = result.gradients().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), actual.shape(), golden.name() + " d/d" + e.getKey() + " shape");
            double[] exp = e.getValue().data().asDouble();
            double[] act = actual.dup().data().asDouble();
            for (int i = 0; i < exp.length; i++) assertClose(exp[i], act[i], golden.name() + " d/d" + e.getKey() + "[" + i + "]");
        }
    }

    @org.junit.jupiter.api.Test
    void theFoundationLossesHaveGoldenCases() {
        for (String name : List.of("nt_xent", "cassle_contrastive", "simclr_pnr")) {
            assertTrue(GoldenCases.of(name).size() >= 3, name);
        }
    }

    static void assertClose(double expected, double actual, String what) {
        double err = Math.abs(expected - actual);
        assertTrue(err <= TOL || err <= TOL * Math.abs(expected),
                what + ": expected " + expected + ", got " + actual + " (error " + err + ")");
    }
}
