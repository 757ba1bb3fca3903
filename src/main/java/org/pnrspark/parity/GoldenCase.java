package org.pnrspark.parity;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * One case of a golden-vector file: a loss evaluated by the reference implementation on given inputs, with its
 * value and its gradients with respect to some of the inputs (float64).
 */
public record GoldenCase(String name, String loss, Map<String, Double> params, Map<String, INDArray> inputs,
        double value, Map<String, INDArray> grads) {
    @Override
    public String toString() {
        return name;
    }
}
