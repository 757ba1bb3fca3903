package org.pnrspark.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.EncoderKind;
import org.pnrspark.config.JobConfig;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class EncodersTest {
    private static ComputationGraph encoder(EncoderKind encoder, int size) {
        JobConfig cfg = ConfigLoader.load(List.of(), List.of("data.dataset=cifar100", "data.root=/x", "model.encoder=" + encoder.configName()));
        GraphBuilder g = NetworkBlocks.graph(cfg, 1).addInputs("x").setInputTypes(InputType.convolutional(size, size, 3));
        String out = Encoders.add(g, "x", cfg);
        assertEquals(encoder, cfg.model().encoder());
        return Networks.build(g.setOutputs(out).build());
    }

    /** Trainable parameters, as torch counts them (DL4J also stores batch-norm running statistics as parameters). */
    private static long trainable(ComputationGraph g) {
        long n = 0;
        for (Layer l : g.getLayers()) {
            for (Map.Entry<String, INDArray> e : l.paramTable().entrySet()) {
                if (!List.of("mean", "var", "log10stdev").contains(e.getKey())) n += e.getValue().length();
            }
        }
        return n;
    }

    @Test
    void resnet18WithTheCifarStem() {
        ComputationGraph g = encoder(EncoderKind.RESNET18_CIFAR, 32);
        // torchvision resnet18 without fc: 11,176,512; the 3x3 stem has 1,728 weights instead of 9,408
        assertEquals(11_168_832, trainable(g));
        Map<String, INDArray> acts = g.feedForward(Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32), false);
        assertArrayEquals(new long[] {2, 64, 34, 34}, acts.get("enc_stem_bn").shape(), "padding 2: 34x34");
        assertArrayEquals(new long[] {2, 64, 34, 34}, acts.get("enc_l1_b1_relu").shape());
        assertArrayEquals(new long[] {2, 128, 17, 17}, acts.get("enc_l2_b1_relu").shape());
        assertArrayEquals(new long[] {2, 256, 9, 9}, acts.get("enc_l3_b1_relu").shape());
        assertArrayEquals(new long[] {2, 512, 5, 5}, acts.get("enc_l4_b1_relu").shape());
        assertArrayEquals(new long[] {2, 512}, acts.get(NetworkBlocks.FEATURES).shape());
    }

    @Test
    void resnet18WithTheImagenetStem() {
        ComputationGraph g = encoder(EncoderKind.RESNET18_IMAGENET, 64);
        assertEquals(11_176_512, trainable(g));
        Map<String, INDArray> acts = g.feedForward(Nd4j.rand(DataType.FLOAT, 1, 3, 64, 64), false);
        assertArrayEquals(new long[] {1, 64, 16, 16}, acts.get("enc_stem_pool").shape());
        assertArrayEquals(new long[] {1, 512, 2, 2}, acts.get("enc_l4_b1_relu").shape());
    }

    @Test
    void smallCnn() {
        ComputationGraph g = encoder(EncoderKind.SMALL_CNN, 32);
        INDArray f = g.outputSingle(false, Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32));
        assertArrayEquals(new long[] {2, 256}, f.shape());
    }
}
