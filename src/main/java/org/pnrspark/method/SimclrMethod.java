package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.pnrspark.config.JobConfig;
import org.pnrspark.config.Strategy;
import org.pnrspark.loss.CassleContrastiveLoss;
import org.pnrspark.loss.NtXentLoss;
import org.pnrspark.loss.SimclrPnrLoss;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.SslLossLayer;

import java.util.List;
import java.util.Map;

/**
 * SimCLR under the three strategies (PNR_SPEC §3.1, §4, §5.1):
 * <ul>
 * <li>task 0 and {@code finetune}: NT-Xent on the projections z;</li>
 * <li>{@code cassle}, t ≥ 1: NT-Xent(z) + distill_lamb · contrastive distillation between p = g(z) and the frozen
 *     projections f;</li>
 * <li>{@code pnr}, t ≥ 1: the SimCLR-PNR loss alone (it replaces NT-Xent), at distill_temperature.</li>
 * </ul>
 */
public final class SimclrMethod implements SslMethod {
    static final String LOSS = "loss";
    private final JobConfig config;

    public SimclrMethod(JobConfig config) {
        this.config = config;
    }

    private Strategy strategy() {
        return config.continual().strategy();
    }

    @Override
    public boolean usesFrozenModel(int task) {
        return strategy().usesFrozenModel(task);
    }

    @Override
    public int targetWidth(int task) {
        return loss(task).labelWidth();
    }

    @Override
    public ComputationGraphConfiguration online(int task) {
        GraphBuilder g = inputAndProjections(config.run().seed() + task);
        SslLossLayer loss = loss(task);
        String lossInput = "z";
        if (usesFrozenModel(task)) {
            int dim = config.model().projectorOutputDim();
            String p = NetworkBlocks.distillPredictor(g, NetworkBlocks.PROJECTOR_PREFIX + "fc2", dim,
                    config.model().distillProjHiddenDim(), config.optim().weightDecay());
            NetworkBlocks.pairViews(g, "p", p, dim);
            g.addVertex("z_p", new MergeVertex(), "z", "p");
            lossInput = "z_p";
        }
        g.addLayer(LOSS, loss, lossInput);
        return g.setOutputs(LOSS).build();
    }

    @Override
    public ComputationGraphConfiguration frozen() {
        GraphBuilder g = inputAndProjections(config.run().seed());
        return g.setOutputs("z").build();
    }

    /** views → encoder → projector → "z" = [z1 | z2] per image. */
    private GraphBuilder inputAndProjections(long seed) {
        JobConfig.Model m = config.model();
        var ds = config.data().dataset();
        GraphBuilder g = NetworkBlocks.graph(config, seed)
                .addInputs("views")
                .setInputTypes(InputType.convolutional(ds.height(), ds.width(), 2L * ds.channels()));
        String x = NetworkBlocks.unstackViews(g, "views", ds.channels(), ds.height(), ds.width());
        String h = NetworkBlocks.encoder(g, x, config);
        String z = NetworkBlocks.simclrProjector(g, h, NetworkBlocks.featureDim(m), m.projectorHiddenDim(),
                m.projectorOutputDim(), config.optim().weightDecay());
        NetworkBlocks.pairViews(g, "z", z, m.projectorOutputDim());
        return g;
    }

    SslLossLayer loss(int task) {
        int dim = config.model().projectorOutputDim();
        double tau = config.method().temperature();
        double distillTau = config.continual().distillTemperature();
        LossTerm ntXent = new LossTerm(NtXentLoss.NAME, 1.0, Map.of("temperature", tau));
        if (!usesFrozenModel(task)) {
            return new SslLossLayer(LOSS, List.of(ntXent), List.of("z1", "z2"), List.of(), dim);
        }
        List<String> inputs = List.of("z1", "z2", "p1", "p2");
        List<String> targets = List.of("f1", "f2");
        return switch (strategy()) {
            case CASSLE -> new SslLossLayer(LOSS, List.of(ntXent, new LossTerm(CassleContrastiveLoss.NAME,
                    config.continual().distillLamb(), Map.of("temperature", distillTau))), inputs, targets, dim);
            case PNR -> new SslLossLayer(LOSS, List.of(new LossTerm(SimclrPnrLoss.NAME, 1.0,
                    Map.of("temperature", distillTau))), inputs, targets, dim);
            case FINETUNE -> throw new IllegalStateException("finetune never uses the frozen model");
        };
    }

    @Override
    public String describeObjective(int task) {
        return loss(task).getTerms().toString();
    }
}
