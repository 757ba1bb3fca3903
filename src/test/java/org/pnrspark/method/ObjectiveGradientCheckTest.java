package org.pnrspark.method;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.model.SslLossLayer;
import org.pnrspark.testutil.TinyNetworks;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A DL4J gradient check of the loss layer each method builds, for its own objective and for its CaSSLe and PNR
 * objectives (which read the frozen model's outputs, and BYOL's momentum targets, from the labels), on a tiny
 * network in float64.
 */
class ObjectiveGradientCheckTest {
    private static final int DIM = 3;
    private static DataType defaultType;

    @BeforeAll
    static void doublePrecision() {
        defaultType = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(defaultType, defaultType);
    }

    @ParameterizedTest(name = "{0} x {1}, task {2}")
    @CsvSource({
            "simclr, finetune, 0", "simclr, cassle, 1", "simclr, pnr, 1",
            "byol, finetune, 0", "byol, cassle, 1", "byol, pnr, 1",
            "barlow, finetune, 0", "barlow, cassle, 1", "barlow, pnr, 1",
            "vicreg, finetune, 0", "vicreg, cassle, 1", "vicreg, pnr, 1",
            "mocov2plus, finetune, 0", "mocov2plus, cassle, 1", "mocov2plus, pnr, 1",
            "simclr, feature-distill, 1", "byol, feature-distill, 1", "barlow, feature-distill, 1",
            "vicreg, feature-distill, 1", "mocov2plus, feature-distill, 1"})
    void lossLayerGradientsAreExact(String method, String strategy, int task) {
        ProjectionMethod m = (ProjectionMethod) Methods.of(ConfigLoader.load(List.of(), List.of(
                "method.name=" + method, "continual.strategy=" + strategy, method + ".proj_output_dim=" + DIM,
                // keep the weights of 25 (VICReg) from drowning the finite differences
                "vicreg.sim_loss_weight=1", "vicreg.var_loss_weight=1", "vicreg.distill_lamb=2",
                "vicreg.negative_lamb=1",
                // MoCo's queues ride in the labels: 12 keys per view spread over minibatches of 6
                "spark.batch_size_per_worker=6", "mocov2plus.queue_size=12")));
        SslLossLayer loss = m.loss(task);
        int width = loss.getInputLayout().size() * DIM;
        assertTrue(gradientsAreExact(TinyNetworks.denseIntoLoss(loss, width), loss.labelWidth(), 3),
                "gradient check of " + loss.getTerms());
    }

    /** DL4J's gradient check of a network with 4 inputs on 6 random examples with random labels. */
    private static boolean gradientsAreExact(ComputationGraph g, int labelWidth, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 6, 4);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 6, labelWidth);
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                .inputs(new INDArray[] {x}).labels(new INDArray[] {y}).epsilon(1e-6).maxRelError(1e-5)
                .minAbsoluteError(1e-8));
    }

    /** MoCo's q = norm(projector(h)) and PNR's p = norm(g(q)) go through DL4J's L2NormalizeVertex: check it too. */
    @org.junit.jupiter.api.Test
    void normalisedEmbeddingsGradientsAreExact() {
        ProjectionMethod m = (ProjectionMethod) Methods.of(ConfigLoader.load(List.of(), List.of(
                "method.name=mocov2plus", "continual.strategy=pnr", "mocov2plus.proj_output_dim=" + DIM,
                "spark.batch_size_per_worker=6", "mocov2plus.queue_size=12")));
        SslLossLayer loss = m.loss(1);
        int width = loss.getInputLayout().size() * DIM;
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(12).updater(new org.nd4j.linalg.learning.config.NoOp())
                .weightInit(org.deeplearning4j.nn.weights.WeightInit.XAVIER)
                .graphBuilder().addInputs("in").setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(4))
                .addLayer("dense", new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(4).nOut(width)
                        .activation(org.nd4j.linalg.activations.Activation.TANH).build(), "in")
                .addVertex("to_rows", new org.deeplearning4j.nn.conf.graph.ReshapeVertex(-1, DIM), "dense");
        org.pnrspark.model.NetworkBlocks.l2Normalize(conf, "norm", "to_rows");
        conf.addVertex("to_images", new org.deeplearning4j.nn.conf.graph.ReshapeVertex(-1, width), "norm")
                .addLayer("loss", loss, "to_images").setOutputs("loss");
        ComputationGraph g = new ComputationGraph(conf.build());
        g.init();
        assertTrue(gradientsAreExact(g, loss.labelWidth(), 4), "gradient check through the L2 normalisation");
    }
}
