package org.pnrspark.loss;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CaSSLe and PNR losses must depend on the frozen model's outputs f: changing f changes the value and the
 * gradients (a loss that silently dropped its targets would still train, and pass a loss-goes-down test).
 */
class FrozenOutputsMatterTest {
    @ParameterizedTest
    @ValueSource(strings = {CassleContrastiveLoss.NAME, SimclrPnrLoss.NAME, CasslePredictiveLoss.NAME, ByolPnrLoss.NAME,
            CassleDecorrelativeLoss.NAME, BarlowPnrLoss.NAME, CasslePredictiveMseLoss.NAME, VicregPnrLoss.NAME})
    void changingTheFrozenOutputsChangesValueAndGradients(String name) {
        SslLoss loss = Losses.require(name);
        Nd4j.getRandom().setSeed(7);
        Map<String, INDArray> in = new HashMap<>();
        for (String k : new String[] {"p1", "p2", "z1", "z2", "f1", "f2"}) in.put(k, Nd4j.randn(DataType.DOUBLE, 6, 5));
        LossParams params = new LossParams(java.util.Map.of("temperature", 0.2, "lamb", 0.005, "scale_loss", 0.1,
                "distill_lamb", 1.0, "negative_lamb", 0.5));
        LossEvaluation.Result a = LossEvaluation.evaluate(loss, in, params);
        Map<String, INDArray> other = new HashMap<>(in);
        other.put("f1", in.get("f2"));
        other.put("f2", in.get("f1"));
        LossEvaluation.Result b = LossEvaluation.evaluate(loss, other, params);
        assertTrue(Math.abs(a.value() - b.value()) > 1e-3, name + " value ignores f: " + a.value() + " vs " + b.value());
        double gradDiff = a.gradients().get("p1").sub(b.gradients().get("p1")).norm2Number().doubleValue();
        assertTrue(gradDiff > 1e-3, name + " gradient w.r.t. p1 ignores f");
    }

    /** CaSSLe's predictive-MSE term (not in the golden files) is VICReg-PNR's positive term alone. */
    @org.junit.jupiter.api.Test
    void predictiveMseIsVicregPnrWithoutPseudoNegatives() {
        Nd4j.getRandom().setSeed(8);
        Map<String, INDArray> in = new HashMap<>();
        for (String k : new String[] {"p1", "p2", "f1", "f2"}) in.put(k, Nd4j.randn(DataType.DOUBLE, 5, 4));
        double mse = LossEvaluation.evaluate(Losses.require(CasslePredictiveMseLoss.NAME), in, new LossParams(Map.of())).value();
        double pnr = LossEvaluation.evaluate(Losses.require(VicregPnrLoss.NAME), in,
                new LossParams(Map.of("distill_lamb", 1.0, "negative_lamb", 0.0))).value();
        org.junit.jupiter.api.Assertions.assertEquals(pnr, mse, 1e-12);
    }
}
