package org.pnrspark.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.method.Methods;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's oneDNN layer helpers are on (through the shim class org.nd4j.nativeblas.Nd4jCpu and the JVM flag
 * -Dorg.eclipse.deeplearning4j.helpers.disable=false) and compute what DL4J's built-in kernels compute.
 */
class OneDnnHelpersTest {
    private static final String DISABLE = "org.eclipse.deeplearning4j.helpers.disable";

    @Test
    void helpersAreUsedAndAgreeWithBuiltInKernels() {
        assertTrue(BaseMKLDNNHelper.mklDnnEnabled(), "oneDNN helpers are not enabled");
        JobConfig cfg = ConfigLoader.load(List.of(), List.of("continual.strategy=pnr"));
        ComputationGraph fast = Networks.build(Methods.of(cfg).online(1));
        assertInstanceOf(MKLDNNConvHelper.class, ((ConvolutionLayer) fast.getLayer("enc_conv2")).getHelper());

        String before = System.getProperty(DISABLE);
        ComputationGraph plain;
        try {
            System.setProperty(DISABLE, "true");
            plain = Networks.build(Methods.of(cfg).online(1));
        } finally {
            if (before == null) System.clearProperty(DISABLE);
            else System.setProperty(DISABLE, before);
        }
        assertEquals(null, ((ConvolutionLayer) plain.getLayer("enc_conv2")).getHelper());
        plain.setParams(fast.params().dup());

        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 2, 28, 28);
        INDArray y = Nd4j.rand(DataType.FLOAT, 8, 256);
        fast.setInputs(x);
        fast.setLabels(y);
        plain.setInputs(x);
        plain.setLabels(y);
        fast.computeGradientAndScore();
        plain.computeGradientAndScore();
        assertEquals(plain.score(), fast.score(), 1e-4 * Math.abs(plain.score()));
        INDArray gf = fast.gradient().gradient();
        INDArray gp = plain.gradient().gradient();
        double rel = gf.sub(gp).norm2Number().doubleValue() / gp.norm2Number().doubleValue();
        assertTrue(rel < 1e-3, "gradients differ by " + rel);
        fast.fit(new DataSet(x, y));
    }
}
