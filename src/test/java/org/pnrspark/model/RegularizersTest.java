package org.pnrspark.model;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.method.Methods;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optimiser settings reach every layer of the trained network, and survive the JSON trip to executors. */
class RegularizersTest {
    private static BaseLayer layer(ComputationGraph g, String name) {
        return (BaseLayer) g.getLayer(name).conf().getLayer();
    }

    private static ComputationGraph online(String... sets) {
        var conf = Methods.of(ConfigLoader.load(List.of(), List.of(sets))).online(1);
        return Networks.build(org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(conf.toJson()));
    }

    @Test
    void larsOnWeightsOnly() {
        ComputationGraph g = online("optim.optimizer=lars", "optim.weight_decay=1e-4", "optim.lars_eta=0.02");
        for (String name : List.of("enc_conv1", "enc_conv4", "proj_fc1", "proj_fc2", "distill_fc1", "distill_fc2")) {
            List<Regularization> w = layer(g, name).getRegularization();
            assertEquals(1, w.size(), name);
            assertEquals(new Lars(0.02, 1e-4, true, 1e-8), w.get(0), name);
            assertTrue(layer(g, name).getRegularizationBias() == null || layer(g, name).getRegularizationBias().isEmpty(),
                    name + " bias excluded");
        }
    }

    @Test
    void biasesToWhenNotExcludedAndCoupledDecayForSgd() {
        ComputationGraph lars = online("optim.optimizer=lars", "optim.exclude_bias_n_norm=false");
        assertInstanceOf(Lars.class, layer(lars, "proj_fc1").getRegularizationBias().get(0));
        ComputationGraph sgd = online("optim.optimizer=sgd", "optim.weight_decay=5e-4");
        assertInstanceOf(L2Regularization.class, layer(sgd, "enc_conv2").getRegularization().get(0));
    }
}
