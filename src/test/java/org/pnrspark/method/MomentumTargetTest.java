package org.pnrspark.method;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.model.Networks;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BYOL's and MoCo's targets: τ on the reference's cosine schedule, parameters following the EMA formula. */
class MomentumTargetTest {
    @Test
    void tauRisesOnACosineFromBaseToFinal() {
        SslMethod.MomentumTarget m = new SslMethod.MomentumTarget(null, 0.99, 1.0);
        assertEquals(0.99, m.tau(0, 100), 1e-15);
        assertEquals(0.995, m.tau(50, 100), 1e-15);
        assertEquals(1.0, m.tau(100, 100), 1e-15);
        assertEquals(1.0 - 0.01 * (Math.cos(Math.PI * 0.3) + 1) / 2, m.tau(30, 100), 1e-15);
    }

    @Test
    void eachMethodHasTheReferenceSchedule() {
        var byol = Methods.of(ConfigLoader.load(List.of(), List.of("method.name=byol"))).momentum().get();
        assertEquals(List.of(0.99, 1.0), List.of(byol.baseTau(), byol.finalTau()));
        var moco = Methods.of(ConfigLoader.load(List.of(), List.of("method.name=mocov2plus"))).momentum().get();
        assertEquals(List.of(0.99, 0.999), List.of(moco.baseTau(), moco.finalTau()));
        assertTrue(Methods.of(ConfigLoader.load(List.of(), List.of("method.name=simclr"))).momentum().isEmpty());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"byol", "mocov2plus"})
    void targetParametersFollowTheEmaFormula(String name) {
        JobConfig cfg = ConfigLoader.load(List.of(), List.of("method.name=" + name, name + ".proj_hidden_dim=32",
                "byol.pred_hidden_dim=32", name + ".proj_output_dim=16"));
        SslMethod method = Methods.of(cfg);
        ComputationGraph online = Networks.build(method.online(0));
        ComputationGraph target = Networks.build(method.momentum().get().network());
        Networks.copyParameters(online, target);
        INDArray before = target.getLayer("proj_fc2").params().dup();
        // move the online network away from the target
        online.getLayer("proj_fc2").params().addi(1.0);
        INDArray theta = online.getLayer("proj_fc2").params().dup();
        Networks.emaUpdate(target, online, 0.9);
        INDArray expected = before.mul(0.9).add(theta.mul(0.1));
        assertTrue(expected.equalsWithEps(target.getLayer("proj_fc2").params(), 1e-6));
        // every target layer has an online twin of the same name, the predictor has none in the target
        assertEquals(null, target.getConfiguration().getVertices().get("pred_fc1"));
    }
}
