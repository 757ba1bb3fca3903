package org.pnrspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.method.Methods;
import org.pnrspark.method.SslMethod;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J accepts an activation on layers that never apply it (its batch normalisation returns the normalised input
 * whatever activation it is given). Every network pnr-spark builds may configure an activation only on the layers
 * that apply one, dense layers and activation layers; everything else says identity.
 */
class ActivationsTest {
    private static List<ComputationGraphConfiguration> everyNetwork() {
        List<ComputationGraphConfiguration> all = new ArrayList<>();
        for (String encoder : List.of("small-cnn", "resnet18-cifar", "resnet18-imagenet")) {
            for (String method : List.of("simclr", "mocov2plus", "byol", "barlow", "vicreg")) {
                for (String strategy : List.of("finetune", "cassle", "pnr")) {
                    JobConfig config = ConfigLoader.load(List.of(), List.of("model.encoder=" + encoder,
                            "method.name=" + method, "continual.strategy=" + strategy, "mocov2plus.queue_size=256"));
                    SslMethod m = Methods.of(config);
                    all.add(m.online(0));
                    all.add(m.online(1));
                    all.add(m.frozen());
                    m.momentum().ifPresent(t -> all.add(t.network()));
                }
            }
            all.add(Networks.featureExtractor(ConfigLoader.load(List.of(), List.of("model.encoder=" + encoder))));
        }
        return all;
    }

    @Test
    void onlyLayersThatApplyAnActivationHaveOne() {
        int batchNorms = 0;
        int relus = 0;
        for (ComputationGraphConfiguration conf : everyNetwork()) {
            for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
                if (!(e.getValue() instanceof LayerVertex v)) continue;
                Layer layer = v.getLayerConf().getLayer();
                if (layer instanceof BatchNormalization) {
                    batchNorms++;
                    assertTrue(layer instanceof BatchNorm, e.getKey() + " is DL4J's batch norm, not pnr-spark's");
                }
                if (layer instanceof ActivationLayer) relus++;
                if (!(layer instanceof BaseLayer base)) continue;
                boolean identity = base.getActivationFn() instanceof ActivationIdentity;
                if (!identity) {
                    assertTrue(layer instanceof DenseLayer || layer instanceof ActivationLayer,
                            e.getKey() + " (" + layer.getClass().getSimpleName() + ") is configured with "
                                    + base.getActivationFn() + ", which DL4J does not apply on that layer");
                }
            }
        }
        assertTrue(batchNorms > 0 && relus > 0, "the scan saw no batch norm or ReLU layer");
    }

    @Test
    void everyBatchNormOfTheReferenceIsFollowedByAReluWhereItHasOne() {
        JobConfig config = ConfigLoader.load(List.of(), List.of("model.encoder=resnet18-cifar", "method.name=barlow",
                "continual.strategy=pnr"));
        ComputationGraphConfiguration conf = Methods.of(config).online(1);
        // ResNet-18: the stem and bn1 of each of the 8 blocks; then each block's output; Barlow's projector 2;
        // the distill predictor 1
        long reluLayers = conf.getVertices().values().stream().filter(v -> v instanceof LayerVertex lv
                && lv.getLayerConf().getLayer() instanceof ActivationLayer).count();
        assertEquals(1 + 8 + 8 + 2 + 1, reluLayers);
    }
}
