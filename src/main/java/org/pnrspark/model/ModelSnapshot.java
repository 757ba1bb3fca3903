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

    /** SHA-256 of the parameters (batch-norm statistics included) as little-endian float32, in DL4J's flat order. */
    public String parametersSha256() {
        return parametersSha256(params);
    }

    /** SHA-256 of a network's flat parameter vector as little-endian float32: the provenance of a frozen model. */
    public static String parametersSha256(INDArray params) {
        float[] values = params.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes.array()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
