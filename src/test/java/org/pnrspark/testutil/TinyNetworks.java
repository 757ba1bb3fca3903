package org.pnrspark.testutil;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;
import org.pnrspark.model.SslLossLayer;

/** A float64 network small enough for gradient checks: 4 inputs → dense (tanh, width) → the loss layer. */
public final class TinyNetworks {
    private TinyNetworks() {}

    public static ComputationGraph denseIntoLoss(SslLossLayer loss, int width) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(12).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .graphBuilder().addInputs("in").setInputTypes(InputType.feedForward(4))
                .addLayer("dense", new DenseLayer.Builder().nIn(4).nOut(width).activation(Activation.TANH).build(), "in")
                .addLayer("loss", loss, "dense")
                .setOutputs("loss").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }
}
