package org.pnrspark.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.pnrspark.config.JobConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Building networks from configurations and moving parameters between them by layer name. */
public final class Networks {
    private Networks() {}

    public static ComputationGraph build(ComputationGraphConfiguration conf) {
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** The encoder alone, on single images [N, C, H, W] → features [N, d]: for the linear probe. */
    public static ComputationGraphConfiguration featureExtractor(JobConfig config) {
        return featureExtractor(config, null);
    }

    /** The feature extractor, with its batch norms folded into {@code folding} when it is not null. */
    static ComputationGraphConfiguration featureExtractor(JobConfig config, BatchNormFolding folding) {
        var ds = config.data();
        GraphBuilder g = NetworkBlocks.graph(config, config.run().seed())
                .addInputs("images")
                .setInputTypes(InputType.convolutional(ds.height(), ds.width(), ds.channels()));
        String features = Encoders.add(g, "images", config, folding);
        return g.setOutputs(features).build();
    }

    /**
     * Copies the parameters (and batch-norm statistics) of every layer of {@code to} that {@code from} also has,
     * with the same name and shape, like the reference's non-strict state-dict load. Returns the copied layers.
     */
    public static List<String> copyParameters(ComputationGraph from, ComputationGraph to) {
        List<String> copied = new ArrayList<>();
        java.util.Set<String> available = new java.util.HashSet<>();
        for (Layer l : from.getLayers()) available.add(l.conf().getLayer().getLayerName());
        for (Layer target : to.getLayers()) {
            String name = target.conf().getLayer().getLayerName();
            if (target.numParams() == 0 || !available.contains(name)) continue;
            Layer source = from.getLayer(name);
            if (source.numParams() != target.numParams()) continue;
            boolean sameShapes = target.paramTable().keySet().equals(source.paramTable().keySet())
                    && target.paramTable().entrySet().stream().allMatch(e ->
                    Arrays.equals(e.getValue().shape(), source.paramTable().get(e.getKey()).shape()));
            if (!sameShapes) continue;
            INDArray p = source.params();
            target.setParams(p.dup());
            copied.add(name);
        }
        return copied;
    }

    /**
     * The momentum update θm ← keep·θm + (1 − keep)·θ for every layer of {@code target}, θ taken from the
     * same-named layer of {@code online} (batch-norm statistics included: the target runs in train mode, where they
     * are not used).
     */
    public static void emaUpdate(ComputationGraph target, ComputationGraph online, double keep) {
        for (Layer t : target.getLayers()) {
            if (t.numParams() == 0) continue;
            String name = t.conf().getLayer().getLayerName();
            INDArray theta = online.getLayer(name).params();
            t.params().muli(keep).addi(theta.mul(1 - keep));
        }
    }
}
