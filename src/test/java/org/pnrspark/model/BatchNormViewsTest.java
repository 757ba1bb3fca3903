package org.pnrspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.method.Methods;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * model.batch_norm_views: a batch norm with two view groups, on the interleaved rows (image 0 view 1, image 0 view 2,
 * ...) of the one pass pnr-spark makes, computes what the reference's one forward pass per view computes: each view
 * normalised with its own statistics, γ's and β's gradients the sum of the two passes', and the running statistics
 * updated once per view, view 1 first. The per-view passes run the same layer with one group (DL4J's kernels for 2D
 * input, pnr-spark's for 4D: both checked against PyTorch by NetworkParityTest).
 */
class BatchNormViewsTest {
    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();
    private static final String[] PARAMS = {BatchNormalizationParamInitializer.GAMMA,
            BatchNormalizationParamInitializer.BETA, BatchNormalizationParamInitializer.GLOBAL_MEAN,
            BatchNormalizationParamInitializer.GLOBAL_VAR};

    @Test
    void twoViewGroupsComputeWhatOnePassPerViewComputes() {
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            for (long[] shape : new long[][] {{12, 5, 6, 7}, {12, 9}}) {
                check(type, shape);
            }
        }
    }

    private static void check(DataType type, long[] shape) {
        String what = type + " " + Arrays.toString(shape);
        double tol = type == DataType.DOUBLE ? 1e-10 : 2e-5;
        int channels = (int) shape[1];
        Nd4j.getRandom().setSeed(11);
        long[] half = shape.clone();
        half[0] /= 2;
        // the views interleaved, view 2 with other statistics (as a solarised view has)
        INDArray x = interleave(Nd4j.randn(DataType.DOUBLE, half).muli(1.5),
                Nd4j.randn(DataType.DOUBLE, half).muli(0.75).addi(2.0), shape).castTo(type);
        INDArray dy = Nd4j.randn(DataType.DOUBLE, shape).castTo(type);
        INDArray[] start = {Nd4j.rand(DataType.DOUBLE, channels).addi(0.5), Nd4j.randn(DataType.DOUBLE, channels),
                Nd4j.randn(DataType.DOUBLE, channels), Nd4j.rand(DataType.DOUBLE, channels).addi(0.5)};

        BatchNorm.Impl grouped = layer(type, shape, 2, start);
        Pass both = pass(grouped, x, dy);

        // the reference: view 1, then view 2 from the running statistics view 1 left
        BatchNorm.Impl single = layer(type, shape, 1, start);
        Pass view1 = pass(single, x.get(rows(0, shape[0])).dup(), dy.get(rows(0, shape[0])).dup());
        INDArray[] afterView1 = start.clone();
        for (int i = 2; i < 4; i++) afterView1[i] = start[i].sub(view1.grad[i].castTo(DataType.DOUBLE));
        single = layer(type, shape, 1, afterView1);
        Pass view2 = pass(single, x.get(rows(1, shape[0])).dup(), dy.get(rows(1, shape[0])).dup());

        assertClose(view1.out, both.out.get(rows(0, shape[0])), tol, what + " output of view 1");
        assertClose(view2.out, both.out.get(rows(1, shape[0])), tol, what + " output of view 2");
        assertClose(view1.dx, both.dx.get(rows(0, shape[0])), tol, what + " input gradient of view 1");
        assertClose(view2.dx, both.dx.get(rows(1, shape[0])), tol, what + " input gradient of view 2");
        for (int i = 0; i < 4; i++) {
            // γ, β: the sum of both passes' gradients; running statistics: DL4J's updater subtracts the "gradient"
            INDArray expected = view1.grad[i].add(view2.grad[i]);
            assertClose(expected, both.grad[i], tol, what + " " + PARAMS[i]);
        }
        // and not what one group computes (the check can fail)
        Pass joint = pass(layer(type, shape, 1, start), x, dy);
        double apart = joint.out.castTo(DataType.DOUBLE).sub(both.out.castTo(DataType.DOUBLE)).norm2Number()
                .doubleValue() / joint.out.norm2Number().doubleValue();
        assertTrue(apart > 0.1, what + ": normalising the views together changes the output by only " + apart);
    }

    @Test
    void aMinibatchThatIsNotWholeImagesIsAnError() {
        BatchNorm.Impl layer = layer(DataType.FLOAT, new long[] {5, 3}, 2, null);
        layer.setInput(Nd4j.rand(DataType.FLOAT, 5, 3), NO_WS);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> layer.activate(true, NO_WS));
        assertTrue(e.getMessage().contains("5 rows cannot hold 2 views"), e.getMessage());
        // inference uses the running statistics: no groups, any size
        assertEquals(5, layer.activate(false, NO_WS).size(0));
    }

    @Test
    void theConfigurationSetsTheOnlineFrozenAndTargetNetworksAndSurvivesJson() {
        for (String views : new String[] {"separate", "joint"}) {
            JobConfig cfg = ConfigLoader.load(List.of(), List.of("method.name=byol", "continual.strategy=pnr",
                    "model.batch_norm_views=" + views));
            var method = Methods.of(cfg);
            int expected = views.equals("separate") ? 2 : 1;
            List<ComputationGraphConfiguration> confs = List.of(method.online(1), method.frozen(),
                    method.momentum().orElseThrow().network());
            for (ComputationGraphConfiguration conf : confs) {
                List<Integer> groups = viewGroups(conf);
                assertTrue(groups.size() >= 5, "batch norms: " + groups);
                for (int g : groups) assertEquals(expected, g, views);
                assertEquals(groups, viewGroups(ComputationGraphConfiguration.fromJson(conf.toJson())), "JSON");
            }
        }
        var bad = assertThrows(RuntimeException.class, () -> ConfigLoader.load(List.of(),
                List.of("model.batch_norm_views=both")));
        assertTrue(bad.getMessage().contains("model.batch_norm_views"), bad.getMessage());
    }

    private static List<Integer> viewGroups(ComputationGraphConfiguration conf) {
        List<Integer> groups = new ArrayList<>();
        for (var vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BatchNorm bn) {
                groups.add(bn.getViewGroups());
            }
        }
        return groups;
    }

    /** [N, ...] view 1 and view 2 → [2N, ...] (image 0 view 1, image 0 view 2, ...), as the graph unstacks them. */
    private static INDArray interleave(INDArray view1, INDArray view2, long[] shape) {
        return Nd4j.concat(1, view1, view2).reshape('c', shape);
    }

    /** Rows from {@code first} in steps of 2: one view of every image. */
    private static INDArrayIndex rows(int first, long n) {
        return NDArrayIndex.interval(first, 2, n);
    }

    private record Pass(INDArray out, INDArray dx, INDArray[] grad) {}

    private static Pass pass(BatchNorm.Impl layer, INDArray x, INDArray dy) {
        layer.setInput(x, NO_WS);
        INDArray out = layer.activate(true, NO_WS).dup();
        Pair<Gradient, INDArray> back = layer.backpropGradient(dy, NO_WS);
        INDArray[] grad = new INDArray[4];
        for (int i = 0; i < 4; i++) grad[i] = back.getFirst().getGradientFor(PARAMS[i]).dup().reshape(-1);
        return new Pass(out, back.getSecond().dup(), grad);
    }

    /** A one-layer graph's batch norm with {@code groups} view groups and the given γ, β, running mean and variance. */
    private static BatchNorm.Impl layer(DataType type, long[] shape, int groups, INDArray[] params) {
        BatchNorm bn = NetworkBlocks.batchNorm();
        bn.setViewGroups(groups);
        InputType in = shape.length == 4 ? InputType.convolutional(shape[2], shape[3], shape[1])
                : InputType.feedForward(shape[1]);
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(type)
                .updater(new NoOp()).graphBuilder().addInputs("x").setInputTypes(in)
                .addLayer("bn", bn, "x").setOutputs("bn").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        g.initGradientsView();
        BatchNorm.Impl layer = (BatchNorm.Impl) g.getLayer("bn");
        if (params != null) {
            for (int i = 0; i < 4; i++) {
                INDArray p = layer.getParam(PARAMS[i]);
                p.assign(params[i].castTo(type).reshape(p.shape()));
            }
        }
        return layer;
    }

    private static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
        INDArray e = expected.castTo(DataType.DOUBLE), a = actual.castTo(DataType.DOUBLE).reshape(e.shape());
        double err = a.sub(e).norm2Number().doubleValue() / Math.max(e.norm2Number().doubleValue(), 1e-12);
        assertTrue(err < tol, what + ": relative error " + err);
    }
}
