package org.pnrspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.method.Methods;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pnr-spark's own kernels (convolution backprop without the second forward pass, batch norm, ReLU) are what the
 * trained networks run, and a training step computes with them what it computes with DL4J's: the same loss, the
 * same gradient of every parameter, the same running statistics.
 */
class KernelSwitchesTest {
    private static final List<String> NAMES = List.of("conv", "bn", "relu", "dense");

    /** Both views normalised together: DL4J's batch norm has no view groups, and these tests compare with it. */
    private static ComputationGraphConfiguration configuration(String encoder) {
        JobConfig cfg = ConfigLoader.load(List.of(), List.of("continual.strategy=pnr", "model.encoder=" + encoder,
                "model.batch_norm_views=joint",
                "data.dataset=" + (encoder.equals("small-cnn") ? "fashion-mnist" : "cifar100"),
                "scenario.class_order=[]",
                "simclr.proj_hidden_dim=64", "simclr.proj_output_dim=32", "simclr.distill_proj_hidden_dim=64"));
        return Methods.of(cfg).online(1);
    }

    @Test
    void theTrainedNetworksRunPnrSparksLayers() {
        ComputationGraph g = Networks.build(configuration("small-cnn"));
        assertInstanceOf(Conv2d.Impl.class, g.getLayer("enc_conv1"));
        assertInstanceOf(BatchNorm.Impl.class, g.getLayer("enc_bn1"));
        assertInstanceOf(Relu.Impl.class, g.getLayer("enc_relu1"));
        assertInstanceOf(Dense.Impl.class, g.getLayer("proj_fc1"));
        assertInstanceOf(Dense.Impl.class, g.getLayer("proj_fc2"));
        for (String name : NAMES) assertTrue(KernelSwitches.set(name, true), name + " is on by default");
    }

    /**
     * On any backend but ND4J's CPU one (here the name of ND4J's CUDA backend stands in for it: the switches read
     * the backend's class name) the layers run DL4J's implementations, whatever the switches say: a float32 training
     * step, whose gradient differs in its bits between the two sets of kernels on the CPU, is DL4J's bit for bit,
     * and the log line says which kernels run.
     */
    @Test
    void onAnotherBackendTheLayersRunDl4jsKernels() {
        ComputationGraph g = Networks.build(configuration("small-cnn"));
        Nd4j.getRandom().setSeed(3);
        INDArray views = Nd4j.rand(DataType.FLOAT, 8, 2, 28, 28).subi(0.3f).muli(3);
        INDArray labels = Nd4j.randn(DataType.FLOAT, 8, 64);
        double[] dl4j = step(g, views, labels, false).gradient.toDoubleVector();
        double[] pnrSpark = step(g, views, labels, true).gradient.toDoubleVector();
        assertFalse(java.util.Arrays.equals(dl4j, pnrSpark), "on the CPU the two sets of kernels differ in the bits");
        assertTrue(KernelSwitches.describe().startsWith("pnr-spark's conv, bn, relu"), KernelSwitches.describe());
        String before = KernelSwitches.overrideBackend("org.nd4j.linalg.jcublas.JCublasBackend");
        try {
            assertArrayEquals(dl4j, step(g, views, labels, true).gradient.toDoubleVector(), 0.0,
                    "the switches are on, the backend is not the CPU one: DL4J's kernels");
            assertFalse(FloatKernels.applies(views), "no host-pointer kernel on another backend's arrays");
            assertEquals("DL4J's (JCublasBackend is not ND4J's CPU backend)", KernelSwitches.describe());
            assertTrue(NativeKernels.describe(g).endsWith("layer kernels: DL4J's (JCublasBackend is not ND4J's CPU "
                    + "backend)"), NativeKernels.describe(g));
        } finally {
            KernelSwitches.overrideBackend(before);
        }
    }

    /**
     * In float32, pnr-spark's kernels and DL4J's each differ from the same step computed in float64; pnr-spark's
     * no more than DL4J's own, and both little. In float64 the two agree to rounding.
     */
    @Test
    void aTrainingStepComputesWhatDl4jsKernelsCompute() {
        for (String encoder : List.of("small-cnn", "resnet18-cifar")) {
            ComputationGraphConfiguration conf = configuration(encoder);
            ComputationGraph f32 = Networks.build(conf);
            ComputationGraphConfiguration conf64 = conf.clone();
            conf64.setDataType(DataType.DOUBLE);
            ComputationGraph f64 = Networks.build(conf64);
            f64.setParams(f32.params().castTo(DataType.DOUBLE));
            Nd4j.getRandom().setSeed(11);
            int images = encoder.equals("small-cnn") ? 16 : 4;
            int side = encoder.equals("small-cnn") ? 28 : 32;
            int channels = encoder.equals("small-cnn") ? 1 : 3;
            INDArray views = Nd4j.rand(DataType.DOUBLE, images, 2 * channels, side, side).subi(0.3).muli(3);
            INDArray labels = Nd4j.randn(DataType.DOUBLE, images, 64);
            Step exact = step(f64, views, labels, false);
            Step exactFast = step(f64, views, labels, true);
            double agreement = worst(exactFast, exact).getKey();
            assertTrue(agreement < 1e-8, encoder + ", float64: the kernels differ by " + worst(exactFast, exact));
            INDArray v32 = views.castTo(DataType.FLOAT), l32 = labels.castTo(DataType.FLOAT);
            var fast = worst(step(f32, v32, l32, true), exact);
            var dl4j = worst(step(f32, v32, l32, false), exact);
            System.out.printf("%s, float32 against float64: pnr-spark's kernels %s, DL4J's %s%n", encoder, fast, dl4j);
            // ResNet-18's ReLUs flip where a pre-activation is within float32 rounding of 0, which moves the
            // gradients below them by about 1e-3 whichever kernels run (README, network parity); the tight check of
            // ResNet-18's float32 kernels is layer by layer (resnet18sFloat32KernelsMatchFloat64LayerByLayer)
            double bound = encoder.equals("small-cnn") ? Math.max(1.5 * dl4j.getKey(), 1e-3) : 2e-2;
            assertTrue(fast.getKey() <= bound, encoder + ": pnr-spark's kernels " + fast + ", DL4J's " + dl4j);
        }
    }

    /**
     * ResNet-18's float32 kernels layer by layer: every convolution, batch norm and ReLU of {@code resnet18-cifar}
     * (the heads' included) gets the input it sees in a float64 training pass (rounded to float32), and its float32
     * output, input gradient and parameter gradients (pnr-spark's kernels) are compared with the same layer in
     * float64 (DL4J's kernels), element by element. A whole-network comparison cannot be tight in float32 (ReLUs
     * flip where a pre-activation is within rounding of 0, and the gradients below move by about 1e-3); one layer on
     * one input has only its own rounding. The bound, {@value #PER_LAYER_TOLERANCE} of the float64 array's RMS for
     * every element, is ten times the worst error measured over all 59 layers (9e-6, the output of a convolution of
     * the last block: sums of 2,304 products); a single element off by 1e-4 of its array's scale breaks it.
     */
    @Test
    void resnet18sFloat32KernelsMatchFloat64LayerByLayer() {
        ComputationGraphConfiguration conf = configuration("resnet18-cifar");
        ComputationGraph f32 = Networks.build(conf);
        ComputationGraphConfiguration conf64 = conf.clone();
        conf64.setDataType(DataType.DOUBLE);
        ComputationGraph f64 = Networks.build(conf64);
        f64.setParams(f32.params().castTo(DataType.DOUBLE));
        f32.initGradientsView();
        f64.initGradientsView();
        Nd4j.getRandom().setSeed(17);
        INDArray views = Nd4j.rand(DataType.DOUBLE, 2, 6, 32, 32).subi(0.3).muli(3);
        java.util.Map<String, INDArray> activations = f64.feedForward(new INDArray[] {views}, true, false);
        activations.put("input", views);
        var noWs = org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces();
        double worst = 0;
        String worstWhere = "";
        int layers = 0;
        for (org.deeplearning4j.nn.api.Layer layer : f32.getLayers()) {
            boolean ours = layer instanceof Conv2d.Impl || layer instanceof BatchNorm.Impl
                    || layer instanceof Relu.Impl;
            if (!ours) continue;
            String name = layer.conf().getLayer().getLayerName();
            List<String> inputs = conf.getVertexInputs().get(name);
            INDArray x = activations.get(inputs.get(0));
            layers++;
            INDArray[] exact = layerPass(f64.getLayer(name), x, false, noWs);
            INDArray[] fast = layerPass(layer, x.castTo(DataType.FLOAT), true, noWs);
            for (int i = 0; i < exact.length; i++) {
                INDArray e = exact[i], a = fast[i].castTo(DataType.DOUBLE);
                double rms = e.norm2Number().doubleValue() / Math.sqrt(e.length());
                if (rms == 0) continue;
                double err = a.sub(e).amaxNumber().doubleValue() / rms;
                if (err > worst) {
                    worst = err;
                    worstWhere = name + " array " + i;
                }
                assertTrue(err <= PER_LAYER_TOLERANCE, name + ", array " + i + " (output, input gradient, then the "
                        + "parameters' gradients): an element is off by " + err + " of the array's RMS");
            }
        }
        System.out.printf("resnet18-cifar, float32 layer by layer: %d layers, worst element %.2e of its array's RMS "
                + "(%s)%n", layers, worst, worstWhere);
        assertEquals(59, layers, "every convolution, batch norm and ReLU");
    }

    private static final double PER_LAYER_TOLERANCE = 1e-4;

    /**
     * The dense layers' backprop without the second forward pass gives DL4J's gradients to the bit: a whole training
     * step of SimCLR x PNR (its projector: a ReLU layer, then an identity one; the distill predictor's two identity
     * layers) in the network's workspaces, and one layer of
     * each activation alone, with bias, in float32 and float64. The fast path ran (its count moved).
     */
    @Test
    void denseBackpropIsDl4jsToTheBit() {
        ComputationGraph g = Networks.build(configuration("small-cnn"));
        Nd4j.getRandom().setSeed(23);
        INDArray views = Nd4j.rand(DataType.FLOAT, 8, 2, 28, 28).subi(0.3f).muli(3);
        INDArray labels = Nd4j.randn(DataType.FLOAT, 8, 64);
        boolean before = KernelSwitches.set("dense", false);
        try {
            Step dl4j = step(g, views, labels, true);
            KernelSwitches.set("dense", true);
            long fastBefore = Dense.Impl.FAST_BACKPROPS.get();
            Step fast = step(g, views, labels, true);
            long denseLayers = java.util.Arrays.stream(g.getLayers()).filter(l -> l instanceof Dense.Impl).count();
            assertEquals(4, denseLayers, "the projector's two and the distill predictor's two");
            assertEquals(fastBefore + denseLayers, Dense.Impl.FAST_BACKPROPS.get(), "every dense layer's fast path ran");
            assertEquals(dl4j.score, fast.score, 0.0);
            assertArrayEquals(dl4j.gradient.toDoubleVector(), fast.gradient.toDoubleVector(), 0.0);
        } finally {
            KernelSwitches.set("dense", before);
        }
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            for (var activation : List.of(org.nd4j.linalg.activations.Activation.RELU,
                    org.nd4j.linalg.activations.Activation.IDENTITY)) {
                var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(3).dataType(type)
                        .updater(new org.nd4j.linalg.learning.config.NoOp()).graphBuilder().addInputs("x")
                        .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(24))
                        .addLayer("fc", NetworkBlocks.dense(24, 40, activation, new Regularizers(List.of(), List.of())), "x")
                        .setOutputs("fc").build();
                ComputationGraph one = new ComputationGraph(conf);
                one.init();
                one.initGradientsView();
                var layer = one.getLayer("fc");
                assertInstanceOf(Dense.Impl.class, layer);
                INDArray x = Nd4j.randn(type, 16, 24);
                var noWs = org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces();
                INDArray[] dl4j = layerPass(layer, x, false, noWs);
                long fastBefore = Dense.Impl.FAST_BACKPROPS.get();
                INDArray[] fast = layerPass(layer, x, true, noWs);
                boolean expectFast = type == DataType.FLOAT || activation == org.nd4j.linalg.activations.Activation.IDENTITY;
                assertEquals(fastBefore + (expectFast ? 1 : 0), Dense.Impl.FAST_BACKPROPS.get(), type + " " + activation);
                assertEquals(4, fast.length, "output, input gradient, W and b");
                for (int i = 0; i < fast.length; i++) {
                    assertArrayEquals(dl4j[i].reshape(-1).toDoubleVector(), fast[i].reshape(-1).toDoubleVector(), 0.0,
                            type + " " + activation + ", array " + i);
                }
            }
        }
    }

    /**
     * One layer's training-mode output, input gradient (for the incoming gradient sin(0.7 i + 0.3)) and parameter
     * gradients, in the order of its gradient's variables, with pnr-spark's kernels on or off.
     */
    private static INDArray[] layerPass(org.deeplearning4j.nn.api.Layer layer, INDArray x, boolean fast,
            org.deeplearning4j.nn.workspace.LayerWorkspaceMgr mgr) {
        boolean[] before = new boolean[NAMES.size()];
        for (int i = 0; i < NAMES.size(); i++) before[i] = KernelSwitches.set(NAMES.get(i), fast);
        try {
            layer.setInput(x, mgr);
            INDArray out = layer.activate(true, mgr).dup();
            INDArray dy = Nd4j.arange(0, out.length()).castTo(DataType.DOUBLE).muli(0.7).addi(0.3);
            dy = org.nd4j.linalg.ops.transforms.Transforms.sin(dy, false).reshape(out.shape()).castTo(out.dataType());
            var result = layer.backpropGradient(dy, mgr);
            List<INDArray> arrays = new java.util.ArrayList<>(List.of(out, result.getSecond().dup()));
            new java.util.TreeMap<>(result.getFirst().gradientForVariable()).values().forEach(g -> arrays.add(g.dup()));
            return arrays.toArray(INDArray[]::new);
        } finally {
            for (int i = 0; i < NAMES.size(); i++) KernelSwitches.set(NAMES.get(i), before[i]);
        }
    }

    /**
     * One batch norm on inputs whose channel means are 20 deviations from 0: float32's statistics (each row's moments
     * around its first value, FloatKernels) keep the output and input gradient within 1e-4 of float64's.
     */
    @Test
    void batchNormStatisticsHoldUpWithLargeMeans() {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(3)
                .updater(new org.nd4j.linalg.learning.config.NoOp()).graphBuilder().addInputs("x")
                .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(9, 9, 4))
                .addLayer("bn", NetworkBlocks.batchNorm(), "x").setOutputs("bn").build();
        ComputationGraphConfiguration conf64 = conf.clone();
        conf64.setDataType(DataType.DOUBLE);
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 8, 4, 9, 9).addi(20);
        INDArray dy = Nd4j.randn(DataType.DOUBLE, 8, 4, 9, 9);
        INDArray[] exact = bnPass(conf64, x, dy);
        INDArray[] fast = bnPass(conf, x.castTo(DataType.FLOAT), dy.castTo(DataType.FLOAT));
        for (int i = 0; i < 2; i++) {
            double err = fast[i].castTo(DataType.DOUBLE).sub(exact[i]).norm2Number().doubleValue()
                    / exact[i].norm2Number().doubleValue();
            assertTrue(err < 1e-4, (i == 0 ? "output" : "input gradient") + " off by " + err);
        }
    }

    /** Training-mode output and input gradient of a one-layer batch-norm graph. */
    private static INDArray[] bnPass(ComputationGraphConfiguration conf, INDArray x, INDArray dy) {
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        g.initGradientsView();
        var layer = (BatchNorm.Impl) g.getLayer("bn");
        layer.setInput(x, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        INDArray out = layer.activate(true, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces()).dup();
        INDArray dx = layer.backpropGradient(dy, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces())
                .getSecond().dup();
        return new INDArray[] {out, dx};
    }

    /** The largest relative error of a variable's gradient (its norm, or 1e-3 of the whole gradient's). */
    private static java.util.Map.Entry<Double, String> worst(Step actual, Step expected) {
        java.util.TreeMap<Double, String> errors = new java.util.TreeMap<>();
        double floor = 1e-3 * expected.gradient.norm2Number().doubleValue();
        for (var e : expected.byVariable.entrySet()) {
            INDArray a = actual.byVariable.get(e.getKey()).castTo(DataType.DOUBLE), b = e.getValue();
            errors.put(a.sub(b).norm2Number().doubleValue() / Math.max(b.norm2Number().doubleValue(), floor),
                    e.getKey());
        }
        return errors.lastEntry();
    }

    private record Step(double score, INDArray gradient, java.util.Map<String, INDArray> byVariable) {
        INDArray gradientOf(String layer, String param) {
            return byVariable.get(layer + "_" + param);
        }
    }

    /** Loss and flattened gradient of one step on the same parameters, with the kernels on or off. */
    private static Step step(ComputationGraph g, INDArray views, INDArray labels, boolean on) {
        boolean[] before = new boolean[NAMES.size()];
        for (int i = 0; i < NAMES.size(); i++) before[i] = KernelSwitches.set(NAMES.get(i), on);
        try {
            g.setInputs(views);
            g.setLabels(labels);
            g.computeGradientAndScore();
            java.util.Map<String, INDArray> byVariable = new java.util.HashMap<>();
            g.gradient().gradientForVariable().forEach((k, v) -> byVariable.put(k, v.dup()));
            return new Step(g.score(), g.gradient().gradient().dup().reshape(-1).castTo(DataType.DOUBLE), byVariable);
        } finally {
            for (int i = 0; i < NAMES.size(); i++) KernelSwitches.set(NAMES.get(i), before[i]);
        }
    }
}
