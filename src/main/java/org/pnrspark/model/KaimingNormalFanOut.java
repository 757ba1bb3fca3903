package org.pnrspark.model;

import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * torchvision's convolution initialisation for ResNets: normal with std sqrt(2 / fan_out), fan_out = output
 * channels x kernel area (kaiming_normal_, mode="fan_out", nonlinearity="relu").
 */
public final class KaimingNormalFanOut implements IWeightInit {
    @Override
    public INDArray init(double fanIn, double fanOut, long[] shape, char order, INDArray paramView) {
        // DL4J's fanOut divides by the stride; torchvision's does not, so take it from the [out, in, kH, kW] shape.
        double torchFanOut = shape.length == 4 ? (double) shape[0] * shape[2] * shape[3] : fanOut;
        double std = Math.sqrt(2.0 / torchFanOut);
        Nd4j.randn(paramView).muli(std);
        return paramView.reshape(order, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KaimingNormalFanOut;
    }

    @Override
    public int hashCode() {
        return KaimingNormalFanOut.class.hashCode();
    }
}
