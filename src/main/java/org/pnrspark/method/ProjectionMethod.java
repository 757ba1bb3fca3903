package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.pnrspark.config.JobConfig;
import org.pnrspark.config.Strategy;
import org.pnrspark.model.Encoders;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.Regularizers;
import org.pnrspark.model.SslLossLayer;

import java.util.List;

/**
 * The shape SimCLR, Barlow Twins and VICReg share: views → encoder → projector → z = [z1 | z2]; from task 1 on
 * under CaSSLe or PNR, also p = g(z) through the distill predictor, and the frozen previous model's projections
 * f = [f1 | f2] as labels. A method says what its projector is and which loss terms each case uses.
 */
abstract class ProjectionMethod implements SslMethod {
    static final String LOSS = "loss";
    protected final JobConfig config;
    private final int embeddingDim;
    private final int distillHiddenDim;

    /**
     * @param embeddingDim     width of z (and of p and f): the projector's output
     * @param distillHiddenDim hidden width of the distill predictor g
     */
    ProjectionMethod(JobConfig config, int embeddingDim, int distillHiddenDim) {
        this.config = config;
        this.embeddingDim = embeddingDim;
        this.distillHiddenDim = distillHiddenDim;
    }

    int embeddingDim() {
        return embeddingDim;
    }

    /** Adds the projector on top of the encoder features h and returns its output vertex. */
    abstract String addProjector(GraphBuilder g, String h, int featureDim, Regularizers reg);

    /** The method's own loss on z (task 0 and finetune). */
    abstract List<LossTerm> ownTerms();

    /** The objective from task 1 on under CaSSLe, with the distillation on p and f. */
    abstract List<LossTerm> cassleTerms();

    /** The objective from task 1 on under PNR. */
    abstract List<LossTerm> pnrTerms();

    protected Strategy strategy() {
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
    public String describeObjective(int task) {
        return loss(task).getTerms().toString();
    }

    @Override
    public ComputationGraphConfiguration online(int task) {
        Projections net = inputAndProjections(config.run().seed() + task);
        GraphBuilder g = net.graph();
        String lossInput = "z";
        if (usesFrozenModel(task)) {
            String p = NetworkBlocks.distillPredictor(g, net.projectorOutput(), embeddingDim, distillHiddenDim,
                    Regularizers.of(config.optim()));
            NetworkBlocks.pairViews(g, "p", p, embeddingDim());
            g.addVertex("z_p", new MergeVertex(), "z", "p");
            lossInput = "z_p";
        }
        g.addLayer(LOSS, loss(task), lossInput);
        return g.setOutputs(LOSS).build();
    }

    @Override
    public ComputationGraphConfiguration frozen() {
        return inputAndProjections(config.run().seed()).graph().setOutputs("z").build();
    }

    private record Projections(GraphBuilder graph, String projectorOutput) {}

    /** views → encoder → projector → "z" = [z1 | z2] per image. */
    private Projections inputAndProjections(long seed) {
        var ds = config.data().dataset();
        GraphBuilder g = NetworkBlocks.graph(config, seed)
                .addInputs("views")
                .setInputTypes(InputType.convolutional(ds.height(), ds.width(), 2L * ds.channels()));
        String x = NetworkBlocks.unstackViews(g, "views", ds.channels(), ds.height(), ds.width());
        String h = Encoders.add(g, x, config);
        String projector = addProjector(g, h, Encoders.featureDim(config.model().encoder()),
                Regularizers.of(config.optim()));
        NetworkBlocks.pairViews(g, "z", projector, embeddingDim());
        return new Projections(g, projector);
    }

    SslLossLayer loss(int task) {
        int dim = embeddingDim();
        if (!usesFrozenModel(task)) return new SslLossLayer(LOSS, ownTerms(), List.of("z1", "z2"), List.of(), dim);
        List<LossTerm> terms = switch (strategy()) {
            case CASSLE -> cassleTerms();
            case PNR -> pnrTerms();
            case FINETUNE -> throw new IllegalStateException("finetune never uses the frozen model");
        };
        return new SslLossLayer(LOSS, terms, List.of("z1", "z2", "p1", "p2"), List.of("f1", "f2"), dim);
    }
}
