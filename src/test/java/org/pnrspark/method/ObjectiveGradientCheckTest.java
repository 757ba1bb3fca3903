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
            "vicreg, finetune, 0", "vicreg, cassle, 1", "vicreg, pnr, 1"})
    void lossLayerGradientsAreExact(String method, String strategy, int task) {
        ProjectionMethod m = (ProjectionMethod) Methods.of(ConfigLoader.load(List.of(), List.of(
                "method.name=" + method, "continual.strategy=" + strategy, method + ".proj_output_dim=" + DIM,
                // keep the weights of 25 (VICReg) from drowning the finite differences
                "vicreg.sim_loss_weight=1", "vicreg.var_loss_weight=1", "vicreg.distill_lamb=2",
                "vicreg.negative_lamb=1")));
        SslLossLayer loss = m.loss(task);
        int width = loss.getInputLayout().size() * DIM;
        ComputationGraph g = TinyNetworks.denseIntoLoss(loss, width);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 6, 4);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 6, loss.labelWidth());
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                .inputs(new INDArray[] {x}).labels(new INDArray[] {y}).epsilon(1e-6).maxRelError(1e-5)
                .minAbsoluteError(1e-8));
        assertTrue(ok, "gradient check of " + loss.getTerms());
    }
}
