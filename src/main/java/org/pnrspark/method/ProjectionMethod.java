package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;
import org.pnrspark.config.JobConfig;
import org.pnrspark.continual.ContinualStrategies;
import org.pnrspark.continual.ContinualStrategy;
import org.pnrspark.continual.MethodObjective;
import org.pnrspark.model.Encoders;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.Regularizers;
import org.pnrspark.model.SslLossLayer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The shape the methods share: views → encoder → projector → z = [z1 | z2], optionally a head on z (BYOL's
 * predictor, giving pr = [pr1 | pr2]); from task 1 on, when the continual strategy uses the frozen previous model,
 * also p = [p1 | p2] from the strategy's head on the projector (CaSSLe's and PNR's distill predictor g). Labels: a
 * momentum target's [zm1 | zm2] (BYOL, MoCo), then the frozen previous model's [f1 | f2], then MoCo's key queues.
 * A method says what its projector (and head) is and what its own loss is; the strategy, what it makes of them.
 */
abstract class ProjectionMethod implements SslMethod {
    static final String LOSS = LOSS_LAYER;
    protected final JobConfig config;
    private final int embeddingDim;
    private final ContinualStrategy strategy;

    /** @param embeddingDim width of z (and of p, f, pr, zm): the projector's output */
    ProjectionMethod(JobConfig config, int embeddingDim) {
        this.config = config;
        this.embeddingDim = embeddingDim;
        this.strategy = ContinualStrategies.of(config);
    }

    int embeddingDim() {
        return embeddingDim;
    }

    @Override
    public abstract String addProjector(GraphBuilder g, String h, int featureDim, Regularizers reg);

    @Override
    public String addPredictor(GraphBuilder g, String projector, Regularizers reg) {
        return null;
    }

    @Override
    public String addDistillHead(GraphBuilder g, String projector, int task, Regularizers reg) {
        return strategy.addDistillHead(g, projector, objective(), task, reg);
    }

    @Override
    public double distillHeadLrScale() {
        return strategy.distillHeadLrScale(objective());
    }

    /** Name of the per-view embeddings the method's own loss reads: "z" (z1, z2) or "pr" (pr1, pr2). */
    String ownEmbedding() {
        return "z";
    }

    /** The method's own loss (task 0, and every task under finetune). */
    abstract List<LossTerm> ownTerms();

    /** CaSSLe's and PNR's variants of this method (docs/reference.md §4, §5). */
    abstract MethodObjective.Distillers distillers();


    /** What the continual strategy sees of this method. */
    MethodObjective objective() {
        return new MethodObjective(config, ownTerms(), embeddingDim, distillers());
    }

    ContinualStrategy strategy() {
        return strategy;
    }

    @Override
    public boolean usesFrozenModel(int task) {
        return strategy.usesFrozenModel(task);
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
    public ComputationGraphConfiguration online(int task, DataType dataType) {
        Projections net = inputAndProjections(config.run().seed() + task, dataType);
        GraphBuilder g = net.graph();
        Regularizers reg = Regularizers.of(config.optim());
        String head = addPredictor(g, net.projectorOutput(), reg);
        String own = NetworkBlocks.pairViews(g, ownEmbedding(), head == null ? net.projectorOutput() : head,
                embeddingDim);
        String lossInput = own;
        if (usesFrozenModel(task)) {
            String p = addDistillHead(g, net.projectorOutput(), task, reg);
            NetworkBlocks.pairViews(g, "p", p, embeddingDim);
            g.addVertex("embeddings", new MergeVertex(), own, "p");
            lossInput = "embeddings";
        }
        g.addLayer(LOSS, loss(task), lossInput);
        return withViewGroups(g.setOutputs(LOSS).build());
    }

    /** The online encoder and projector alone: the frozen copy, and the momentum target's layout. */
    @Override
    public ComputationGraphConfiguration frozen() {
        Projections net = inputAndProjections(config.run().seed(), DataType.FLOAT);
        NetworkBlocks.pairViews(net.graph(), "z", net.projectorOutput(), embeddingDim);
        return withViewGroups(net.graph().setOutputs("z").build());
    }

    /** Both views go through these networks in one pass; their batch norms keep the views apart or not. */
    private ComputationGraphConfiguration withViewGroups(ComputationGraphConfiguration conf) {
        return NetworkBlocks.withViewGroups(conf, config.model().batchNormViews().groups());
    }

    private record Projections(GraphBuilder graph, String projectorOutput) {}

    /** views → encoder → projector (per view; pair the views with {@link NetworkBlocks#pairViews}). */
    private Projections inputAndProjections(long seed, DataType dataType) {
        var ds = config.data();
        GraphBuilder g = NetworkBlocks.graph(config, seed, dataType)
                .addInputs("views")
                .setInputTypes(InputType.convolutional(ds.height(), ds.width(), 2L * ds.channels()));
        String x = NetworkBlocks.unstackViews(g, "views", ds.channels(), ds.height(), ds.width());
        String h = Encoders.add(g, x, config);
        String projector = addProjector(g, h, Encoders.featureDim(config.model().encoder()),
                Regularizers.of(config.optim()));
        return new Projections(g, projector);
    }

    SslLossLayer loss(int task) {
        String own = ownEmbedding();
        List<String> inputs = new ArrayList<>(List.of(own + "1", own + "2"));
        List<String> labels = new ArrayList<>();
        if (momentum().isPresent()) labels.addAll(List.of("zm1", "zm2"));
        List<LossTerm> terms = ownTerms();
        if (usesFrozenModel(task)) {
            inputs.addAll(List.of("p1", "p2"));
            labels.addAll(List.of("f1", "f2"));
            terms = strategy.terms(objective(), task);
        }
        Optional<QueueSpec> queues = queues(task);
        if (queues.isEmpty()) return new SslLossLayer(LOSS, terms, inputs, labels, embeddingDim);
        List<String> queueNames = queues.get().frozenKeys() ? List.of("queue", "queue2") : List.of("queue");
        return new SslLossLayer(LOSS, terms, inputs, labels, embeddingDim, queueNames, queues.get().size(),
                config.spark().batchSizePerWorker());
    }

    @Override
    public Optional<MomentumTarget> momentum() {
        return Optional.empty();
    }
}
