package org.pnrspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;

/**
 * A network as it travels to executors in a Spark broadcast: its configuration (JSON) and its flat parameter
 * vector (batch-norm statistics included). Used for the frozen previous model and the feature extractor.
 */
public final class ModelSnapshot implements Serializable {
    private final String configurationJson;
    private final INDArray params;

    private ModelSnapshot(String configurationJson, INDArray params) {
        this.configurationJson = configurationJson;
        this.params = params;
    }

    /**
     * A network of the given configuration holding the parameters of the same-named layers of {@code source}.
     * Fails if a layer of the configuration has no counterpart in the source.
     */
    public static ModelSnapshot of(ComputationGraphConfiguration conf, ComputationGraph source) {
        ComputationGraph net = Networks.build(conf);
        var copied = Networks.copyParameters(source, net);
        long withParams = java.util.Arrays.stream(net.getLayers()).filter(l -> l.numParams() > 0).count();
        if (copied.size() != withParams) {
            throw new IllegalStateException("source network lacks layers for the snapshot: copied only " + copied);
        }
        return new ModelSnapshot(conf.toJson(), net.params().dup());
    }

    /** The network as it is now. */
    public static ModelSnapshot of(ComputationGraph net) {
        return new ModelSnapshot(net.getConfiguration().toJson(), net.params().dup());
    }

    public ComputationGraph build() {
        ComputationGraph net = new ComputationGraph(ComputationGraphConfiguration.fromJson(configurationJson));
        net.init(params.dup(), false);
        return net;
    }

    public long numParams() {
        return params.length();
    }
}
