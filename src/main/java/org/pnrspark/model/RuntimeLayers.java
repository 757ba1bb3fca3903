package org.pnrspark.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/** What a layer configuration's {@code instantiate} does with its runtime layer, as DL4J's own layers do it. */
final class RuntimeLayers {
    private RuntimeLayers() {}

    /**
     * Hands {@code layer} its listeners, index, parameter view and parameters (initialised by {@code config}'s
     * initializer when {@code initialize}) and its configuration; returns it.
     */
    static Layer wire(Layer layer, org.deeplearning4j.nn.conf.layers.Layer config, NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners, int index, INDArray paramsView, boolean initialize) {
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(config.initializer().init(conf, paramsView, initialize));
        layer.setConf(conf);
        return layer;
    }
}
