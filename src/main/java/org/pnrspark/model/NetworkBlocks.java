package org.pnrspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.pnrspark.config.JobConfig;

/**
 * The parts every network is assembled from. Layer names carry the part they belong to ({@code enc_}, {@code proj_},
 * {@code distill_}): parameters move between networks (previous task → this task, online → frozen copy, online →
 * feature extractor) by layer name, as the reference loads state dicts non-strictly.
 *
 * <p>Encoders are in {@link Encoders}. Initialisation follows torchvision/PyTorch: convolutions kaiming-normal (fan out), linear weights uniform
 * ±1/√fan_in, batch-norm weight 1 and bias 0 (eps 1e-5, momentum 0.1).
 *
 * <p>An activation is only ever configured on a dense layer or an {@link ActivationLayer}: those are the DL4J layers
 * that apply it ({@code NetworkParityTest} checks every network against PyTorch, forward and backward).
 */
public final class NetworkBlocks {
    public static final String ENCODER_PREFIX = "enc_";
    public static final String PROJECTOR_PREFIX = "proj_";
    public static final String DISTILL_PREFIX = "distill_";
    /** The encoder's feature vector (input of the projector and of the linear probe). */
    public static final String FEATURES = ENCODER_PREFIX + "pool";

    private NetworkBlocks() {}

    /** Global settings shared by all networks: float32, seeded initialisation, momentum SGD, workspaces. */
    public static GraphBuilder graph(JobConfig config, long seed) {
        return graph(config, seed, DataType.FLOAT);
    }

    /** The same settings in another floating-point type (float64 for the network parity check). */
    public static GraphBuilder graph(JobConfig config, long seed, DataType dataType) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(dataType)
                .updater(new MomentumSgd(config.optim().lr(), config.optim().momentum()))
                .weightInit(WeightInit.UNIFORM)
                .convolutionMode(ConvolutionMode.Truncate)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder();
    }

    /**
     * [N, 2C, H, W] (the two views of each image stacked on the channel axis) → [2N, C, H, W] with rows
     * (image 0 view 1, image 0 view 2, image 1 view 1, ...): both views then go through the same weights.
     */
    public static String unstackViews(GraphBuilder g, String input, int channels, int height, int width) {
        g.addVertex("views_unstacked", new ReshapeVertex(-1, channels, height, width), input);
        return "views_unstacked";
    }

    /** [2N, d] → [N, 2d]: each row becomes [view 1 | view 2] of one image again. */
    public static String pairViews(GraphBuilder g, String name, String input, int dim) {
        g.addVertex(name, new ReshapeVertex(-1, 2 * dim), input);
        return name;
    }

    /** SimCLR's projector: in → hidden (ReLU) → out, no batch norm (docs/reference.md §2). */
    public static String simclrProjector(GraphBuilder g, String input, int in, int hidden, int out, Regularizers reg) {
        g.addLayer(PROJECTOR_PREFIX + "fc1", dense(in, hidden, Activation.RELU, reg), input);
        g.addLayer(PROJECTOR_PREFIX + "fc2", dense(hidden, out, Activation.IDENTITY, reg), PROJECTOR_PREFIX + "fc1");
        return PROJECTOR_PREFIX + "fc2";
    }

    /** Barlow Twins' and VICReg's projector: in → hidden (BN, ReLU) ×2 → out (docs/reference.md §2). */
    public static String batchNormProjector(GraphBuilder g, String input, int in, int hidden, int out, Regularizers reg) {
        g.addLayer(PROJECTOR_PREFIX + "fc1", dense(in, hidden, Activation.IDENTITY, reg), input);
        String a1 = batchNormRelu(g, PROJECTOR_PREFIX + "bn1", PROJECTOR_PREFIX + "relu1", PROJECTOR_PREFIX + "fc1");
        g.addLayer(PROJECTOR_PREFIX + "fc2", dense(hidden, hidden, Activation.IDENTITY, reg), a1);
        String a2 = batchNormRelu(g, PROJECTOR_PREFIX + "bn2", PROJECTOR_PREFIX + "relu2", PROJECTOR_PREFIX + "fc2");
        g.addLayer(PROJECTOR_PREFIX + "fc3", dense(hidden, out, Activation.IDENTITY, reg), a2);
        return PROJECTOR_PREFIX + "fc3";
    }

    /** Row-wise x / max(‖x‖₂, 1e-12), as torch.nn.functional.normalize. */
    public static String l2Normalize(GraphBuilder g, String name, String input) {
        g.addVertex(name, new L2NormalizeVertex(new int[] {1}, 1e-12), input);
        return name;
    }

    /**
     * The distill predictor g of CaSSLe and PNR: dim → hidden, BN, ReLU → dim (docs/reference.md §2).
     *
     * @param updater the optimiser of its parameter group when its learning rate differs from the network's, else
     *                null. A distinct rate at build time keeps g in updater blocks of its own, so that the rate can
     *                later be changed per epoch in place (by the trainer's learning-rate schedule).
     */
    public static String distillPredictor(GraphBuilder g, String input, int dim, int hidden, Regularizers reg,
            MomentumSgd updater) {
        return mlp(g, DISTILL_PREFIX, input, dim, hidden, dim, reg, updater);
    }

    /** A two-layer head: in → hidden, BN, ReLU → out, its layers named prefix + fc1, bn, fc2. */
    public static String mlp(GraphBuilder g, String prefix, String input, int in, int hidden, int out, Regularizers reg) {
        return mlp(g, prefix, input, in, hidden, out, reg, null);
    }

    private static String mlp(GraphBuilder g, String prefix, String input, int in, int hidden, int out,
            Regularizers reg, MomentumSgd updater) {
        DenseLayer fc1 = dense(in, hidden, Activation.IDENTITY, reg);
        BatchNorm bn = batchNorm();
        DenseLayer fc2 = dense(hidden, out, Activation.IDENTITY, reg);
        if (updater != null) {
            for (var layer : new org.deeplearning4j.nn.conf.layers.BaseLayer[] {fc1, bn, fc2}) {
                layer.setIUpdater(updater.clone());
            }
        }
        g.addLayer(prefix + "fc1", fc1, input);
        g.addLayer(prefix + "bn", bn, prefix + "fc1");
        g.addLayer(prefix + "relu", relu(), prefix + "bn");
        g.addLayer(prefix + "fc2", fc2, prefix + "relu");
        return prefix + "fc2";
    }

    /**
     * Sets every batch norm of {@code conf} to normalise {@code groups} interleaved views apart in training mode
     * (model.batch_norm_views; {@link BatchNorm#setViewGroups}); returns {@code conf}. For networks that take both
     * views of a minibatch in one pass (the online network, the momentum target, the frozen model).
     */
    public static ComputationGraphConfiguration withViewGroups(ComputationGraphConfiguration conf, int groups) {
        for (var vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BatchNorm bn) {
                bn.setViewGroups(groups);
            }
        }
        return conf;
    }

    /** A linear layer with bias, regularised as the optimiser says ({@link Dense}: DL4J's, with a faster backprop). */
    static DenseLayer dense(int in, int out, Activation activation, Regularizers reg) {
        DenseLayer.Builder b = new DenseLayer.Builder().nIn(in).nOut(out).activation(activation).hasBias(true);
        b.regularization(reg.weights());
        b.regularizationBias(reg.biases());
        return Dense.of(b);
    }

    /** PyTorch's batch norm (eps 1e-5, momentum 0.1, unbiased running variance); no weight decay. */
    static BatchNorm batchNorm() {
        return new BatchNorm();
    }

    /**
     * Batch norm followed by a ReLU layer: DL4J's batch normalisation ignores a configured activation, so the ReLU
     * that follows every batch norm of the reference but the last of a residual block is a layer of its own.
     * Returns the ReLU's name.
     */
    static String batchNormRelu(GraphBuilder g, String bnName, String reluName, String input) {
        g.addLayer(bnName, batchNorm(), input);
        g.addLayer(reluName, relu(), bnName);
        return reluName;
    }

    static ActivationLayer relu() {
        return new Relu();
    }
}
