package org.pnrspark.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchNormFoldingTest {
    /**
     * With batch-norm statistics and affine parameters far from their initial values, the folded encoder computes
     * the features of the encoder with its batch-norm layers in inference mode, up to float rounding; and it has no
     * batch-norm layer left, one biased convolution per folded one.
     */
    @ParameterizedTest
    @CsvSource({"fashion-mnist, small-cnn, 1, 28", "cifar100, resnet18-cifar, 3, 32"})
    void foldedFeaturesEqualTheBatchNormLayers(String dataset, String encoder, int channels, int size) {
        JobConfig config = ConfigLoader.load(List.of(), List.of("data.dataset=" + dataset, "data.root=/x",
                "model.encoder=" + encoder));
        ComputationGraph layers = Networks.build(Networks.featureExtractor(config));
        Nd4j.getRandom().setSeed(11);
        int batchNorms = 0;
        for (Layer l : layers.getLayers()) {
            if (!(l.conf().getLayer() instanceof BatchNormalization)) continue;
            batchNorms++;
            long c = l.getParam(BatchNormalizationParamInitializer.GAMMA).length();
            l.setParam(BatchNormalizationParamInitializer.GAMMA, Nd4j.rand(DataType.FLOAT, 1, c).muli(1.5).addi(0.25));
            l.setParam(BatchNormalizationParamInitializer.BETA, Nd4j.randn(DataType.FLOAT, 1, c).muli(0.5));
            l.setParam(BatchNormalizationParamInitializer.GLOBAL_MEAN, Nd4j.randn(DataType.FLOAT, 1, c));
            l.setParam(BatchNormalizationParamInitializer.GLOBAL_VAR, Nd4j.rand(DataType.FLOAT, 1, c).muli(3).addi(0.05));
        }
        ComputationGraph folded = BatchNormFolding.featureExtractor(config, layers).build();

        long foldedBatchNorms = Arrays.stream(folded.getLayers())
                .filter(l -> l.conf().getLayer() instanceof BatchNormalization).count();
        long biasedConvs = Arrays.stream(folded.getLayers())
                .filter(l -> l.conf().getLayer() instanceof ConvolutionLayer cl && cl.hasBias()).count();
        assertEquals(0, foldedBatchNorms);
        assertEquals(batchNorms, biasedConvs);

        INDArray x = Nd4j.rand(DataType.FLOAT, 4, channels, size, size);
        INDArray expected = layers.outputSingle(false, x);
        INDArray actual = folded.outputSingle(false, x);
        assertEquals(List.of(expected.shape()[0], expected.shape()[1]), List.of(actual.shape()[0], actual.shape()[1]));
        double scale = expected.norm2Number().doubleValue() / Math.sqrt(expected.length());
        double worst = Transforms.abs(expected.sub(actual)).maxNumber().doubleValue();
        assertTrue(scale > 0.1, "features too small to compare: rms " + scale);
        assertTrue(worst < 1e-4 * scale, "largest difference " + worst + " against an rms of " + scale);

        JobConfig unfolded = ConfigLoader.load(List.of(), List.of("data.dataset=" + dataset, "data.root=/x",
                "model.encoder=" + encoder, "eval.fold_batch_norm=false"));
        ComputationGraph asTrained = BatchNormFolding.featureExtractor(unfolded, layers).build();
        assertEquals(batchNorms, Arrays.stream(asTrained.getLayers())
                .filter(l -> l.conf().getLayer() instanceof BatchNormalization).count());
        assertEquals(expected, asTrained.outputSingle(false, x));
    }
}
