package org.pnrspark.parity;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.EncoderKind;
import org.pnrspark.config.JobConfig;
import org.pnrspark.method.Methods;
import org.pnrspark.method.SslMethod;
import org.pnrspark.model.Encoders;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.Regularizers;
import org.pnrspark.parity.NetworkVectors.Digest;
import org.pnrspark.parity.NetworkVectors.NetworkCase;
import org.pnrspark.parity.NetworkVectors.Parameter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares one of pnr-spark's networks with PyTorch's, for weights, running statistics and input given by the
 * closed-form rule of a network parity case: the output in inference mode (running statistics) and in training mode
 * (batch statistics), the running statistics after one training step, and the gradients of L = Σ C ⊙ output with
 * respect to the input and every parameter. For a training objective ({@link NetworkCase#isOnline}), the whole
 * network a task trains with its labels given: the loss (in the "output (training)" column), its gradients with
 * respect to the views and every parameter as the optimizer receives them, and the running statistics after the
 * step; the optimizer's update itself is not compared.
 *
 * <p>The network is built by the same code that builds the trained networks ({@link Encoders},
 * {@link SslMethod#addProjector} and the other heads), in the requested floating-point type; the running statistics
 * are updated by DL4J's own updater, as a training step does.
 *
 * <p>An error is |actual − expected| / max(|expected|, s), with s the larger of the expected array's root mean square
 * and 10⁻³ times the largest root mean square among the case's arrays of that kind (parameter gradients, running
 * statistics); for a digest's sum and dot product, s·√n. So an entry that is zero in PyTorch and 10⁻¹⁷ here, or a
 * gradient that is zero up to rounding in both (a bias followed by batch norm), does not count as a large error.
 */
public final class NetworkParity {
    private NetworkParity() {}

    /** The largest error of each compared quantity, and where the largest of all is. */
    public record Outcome(NetworkCase golden, Map<String, Double> errors, String worst, double worstError,
            Map<String, Double> arrayErrors, Optional<String> problem) {
        public boolean passes(double tol) {
            return problem.isEmpty() && worstError <= tol;
        }

        public double error(String quantity) {
            return errors.getOrDefault(quantity, Double.NaN);
        }
    }

    /** The quantities compared, in the order of the console table. */
    public static final List<String> QUANTITIES = List.of("output_eval", "output_train", "running", "grad_input",
            "grad");

    public static Outcome check(NetworkCase golden, NetworkVectors.Rule dotWeights, DataType dataType) {
        try {
            return compare(golden, dotWeights, dataType);
        } catch (RuntimeException e) {
            return failed(golden, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static Outcome compare(NetworkCase golden, NetworkVectors.Rule dotWeights, DataType dataType) {
        Probe net = new Probe(configuration(golden, dataType));
        net.init();
        Optional<String> mismatch = setParameters(net, golden, dataType);
        if (mismatch.isPresent()) return failed(golden, mismatch.get());

        INDArray x = array(golden.input(), dataType);
        Comparison cmp = new Comparison(dotWeights, golden);
        Gradient gradient;
        if (golden.isOnline()) {
            // a training step: the loss layer's score and gradients, which DL4J's updater divides by the batch size
            net.setLabels(array(golden.labels(), dataType));
            net.feedForward(new INDArray[] {x}, true, false);
            gradient = net.backpropFromLabels();
            double n = x.size(0);
            cmp.compare("output_train", "loss", golden.outputTrain(), Nd4j.create(new double[] {net.loss()}));
            cmp.compare("grad_input", "gradient of the views", golden.gradInput(), net.inputGradient().div(n));
            cmp.compareGradients(net, golden, gradient, 1 / n);
        } else {
            INDArray outEval = net.output(false, x)[0].dup();
            String output = net.getConfiguration().getNetworkOutputs().get(0);
            INDArray outTrain = net.feedForward(new INDArray[] {x}, true, false).get(output).dup();
            gradient = net.backprop(array(golden.outputWeights(), dataType));
            cmp.compare("output_eval", "output (inference)", golden.outputEval(), outEval);
            cmp.compare("output_train", "output (training)", golden.outputTrain(), outTrain);
            cmp.compare("grad_input", "gradient of the input", golden.gradInput(), net.inputGradient());
            cmp.compareGradients(net, golden, gradient, 1);
        }
        // one training step's update of the running statistics, through DL4J's updater as in training
        new ComputationGraphUpdater(net).update(gradient, 0, 0, (int) x.size(0), LayerWorkspaceMgr.noWorkspaces());
        net.params().subi(gradient.gradient());
        for (Parameter p : golden.parameters()) {
            Digest running = golden.running().get(p.key());
            if (running != null) {
                cmp.compare("running", p.layer() + "/" + p.param(), running,
                        torchLayout(net.getLayer(p.layer()).getParam(p.param()), running.shape(), false));
            }
        }
        if (cmp.problem != null) return failed(golden, cmp.problem);
        return new Outcome(golden, cmp.errors, cmp.worst, cmp.worstError, cmp.arrayErrors, Optional.empty());
    }

    /**
     * The network of the case, built by the production code: ending at the encoder's features or the head, or the
     * whole network a task trains, ending in its loss layer.
     */
    static ComputationGraphConfiguration configuration(NetworkCase golden, DataType dataType) {
        if (golden.isOnline()) {
            SslMethod method = Methods.of(ConfigLoader.load(List.of(), golden.sets()));
            long[] labels = golden.labels().shape();
            if (labels.length != 2 || labels[1] != method.targetWidth(golden.task())) {
                throw new IllegalArgumentException("the labels are " + Arrays.toString(labels) + ", task "
                        + golden.task() + "'s network takes [N, " + method.targetWidth(golden.task()) + "]");
            }
            return withoutWorkspaces(method.online(golden.task(), dataType));
        }
        List<String> sets = new ArrayList<>(List.of("model.encoder=" + (golden.encoder() == null
                ? EncoderKind.RESNET18_CIFAR.configName() : golden.encoder())));
        if (golden.method() != null) sets.add("method.name=" + golden.method());
        if (golden.strategy() != null) sets.add("continual.strategy=" + golden.strategy());
        JobConfig config = ConfigLoader.load(List.of(), sets);
        Regularizers reg = Regularizers.of(config.optim());
        long[] in = golden.input().shape();
        GraphBuilder g = NetworkBlocks.graph(config, config.run().seed(), dataType).addInputs("input");
        String output;
        if (golden.network().equals("encoder")) {
            if (in.length != 4) throw new IllegalArgumentException("an encoder's input is [N, C, H, W], got " + Arrays.toString(in));
            g.setInputTypes(InputType.convolutional(in[2], in[3], in[1]));
            output = Encoders.add(g, "input", config.model().encoder(), (int) in[1], reg);
        } else {
            if (in.length != 2) throw new IllegalArgumentException("a head's input is [N, d], got " + Arrays.toString(in));
            g.setInputTypes(InputType.feedForward(in[1]));
            SslMethod method = Methods.of(config);
            output = switch (String.valueOf(golden.part())) {
                case "projector" -> method.addProjector(g, "input", (int) in[1], reg);
                case "predictor" -> method.addPredictor(g, "input", reg);
                case "distill_predictor" -> method.addDistillHead(g, "input", 1, reg);
                default -> throw new IllegalArgumentException("unknown head part \"" + golden.part()
                        + "\" (known: projector, predictor, distill_predictor)");
            };
            if (output == null) throw new IllegalArgumentException(golden.method() + " has no " + golden.part());
        }
        return withoutWorkspaces(g.setOutputs(output).build());
    }

    private static ComputationGraphConfiguration withoutWorkspaces(ComputationGraphConfiguration conf) {
        conf.setTrainingWorkspaceMode(WorkspaceMode.NONE);
        conf.setInferenceWorkspaceMode(WorkspaceMode.NONE);
        return conf;
    }

    /** Fills every parameter from its rule; the network's parameters and the case's must be the same set. */
    private static Optional<String> setParameters(ComputationGraph net, NetworkCase golden, DataType dataType) {
        Set<String> inNetwork = new TreeSet<>(net.paramTable().keySet());
        Set<String> inCase = new TreeSet<>();
        for (Parameter p : golden.parameters()) {
            inCase.add(p.key());
            if (!inNetwork.contains(p.key())) continue;
            INDArray target = net.getLayer(p.layer()).getParam(p.param());
            INDArray values = dl4jLayout(array(p.values(), dataType), target.shape(), isDenseWeights(net, p));
            if (values == null) {
                return Optional.of(p.layer() + "/" + p.param() + " has shape " + Arrays.toString(target.shape())
                        + ", PyTorch's " + p.torchName() + " " + Arrays.toString(p.values().shape()));
            }
            target.assign(values);
        }
        if (!inNetwork.equals(inCase)) {
            Set<String> extra = new TreeSet<>(inNetwork);
            extra.removeAll(inCase);
            Set<String> missing = new TreeSet<>(inCase);
            missing.removeAll(inNetwork);
            return Optional.of("the networks differ: only in pnr-spark's " + extra + ", only in PyTorch's " + missing);
        }
        return Optional.empty();
    }

    static INDArray array(NetworkVectors.Filled f, DataType dataType) {
        return Nd4j.create(f.rule().fill(f.length()), f.shape(), 'c').castTo(dataType);
    }

    /**
     * PyTorch's layout → DL4J's: a dense layer's weights are [in, out] in DL4J and [out, in] in PyTorch; everything
     * else has the same layout (up to leading ones: a bias is [1, out] in DL4J).
     */
    private static INDArray dl4jLayout(INDArray torch, long[] dl4jShape, boolean denseWeights) {
        if (torch.length() != lengthOf(dl4jShape)) return null;
        if (denseWeights) {
            return torch.rank() == 2 && torch.size(0) == dl4jShape[1] && torch.size(1) == dl4jShape[0]
                    ? torch.transpose().dup('c') : null;
        }
        return sameUpToLeadingOnes(torch.shape(), dl4jShape) ? torch.reshape('c', dl4jShape) : null;
    }

    /** DL4J's layout → PyTorch's (see {@link #dl4jLayout}). */
    private static INDArray torchLayout(INDArray dl4j, long[] torchShape, boolean denseWeights) {
        if (denseWeights) return dl4j.transpose().dup('c');
        return sameUpToLeadingOnes(dl4j.shape(), torchShape) ? dl4j.dup('c').reshape('c', torchShape) : dl4j;
    }

    private static boolean isDenseWeights(ComputationGraph net, Parameter p) {
        Layer layer = net.getLayer(p.layer());
        return layer != null && layer.conf().getLayer() instanceof DenseLayer && p.param().equals("W");
    }

    private static boolean sameUpToLeadingOnes(long[] a, long[] b) {
        return Arrays.equals(strip(a), strip(b));
    }

    private static long[] strip(long[] s) {
        int i = 0;
        while (i < s.length - 1 && s[i] == 1) i++;
        return Arrays.copyOfRange(s, i, s.length);
    }

    private static long lengthOf(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    private static Outcome failed(NetworkCase golden, String problem) {
        return new Outcome(golden, Map.of(), "", Double.NaN, Map.of(), Optional.of(problem));
    }

    /** Below this fraction of the largest RMS of its kind, an array is compared at that scale (see the class comment). */
    static final double KIND_SCALE_FRACTION = 1e-3;

    /** Collects the largest error per quantity. */
    private static final class Comparison {
        final NetworkVectors.Rule dotWeights;
        final Map<String, Double> kindScale = new LinkedHashMap<>();
        final Map<String, Double> errors = new LinkedHashMap<>();
        final Map<String, Double> arrayErrors = new LinkedHashMap<>();
        String worst = "";
        double worstError = 0;
        String problem;

        Comparison(NetworkVectors.Rule dotWeights, NetworkCase golden) {
            this.dotWeights = dotWeights;
            kindScale.put("output_eval", golden.outputEval() == null ? 0 : golden.outputEval().rms());
            kindScale.put("output_train", golden.outputTrain().rms());
            kindScale.put("grad_input", golden.gradInput().rms());
            kindScale.put("running", golden.running().values().stream().mapToDouble(Digest::rms).max().orElse(0));
            kindScale.put("grad", golden.grads().values().stream().mapToDouble(Digest::rms).max().orElse(0));
        }

        /** Every parameter's gradient, times {@code scale}; running statistics are compared after the step. */
        void compareGradients(ComputationGraph net, NetworkCase golden, Gradient gradient, double scale) {
            for (Parameter p : golden.parameters()) {
                if (golden.running().containsKey(p.key())) continue;
                Digest expected = golden.grads().get(p.key());
                INDArray actual = gradient.gradientForVariable().get(p.key());
                if (problem != null) return;
                if (expected == null) problem = "no expected gradient for " + p.layer() + "/" + p.param();
                else if (actual == null) problem = "pnr-spark computed no gradient for " + p.layer() + "/" + p.param();
                else compare("grad", "gradient of " + p.layer() + "/" + p.param(), expected,
                        torchLayout(actual.mul(scale), expected.shape(), isDenseWeights(net, p)));
            }
        }

        void compare(String quantity, String what, Digest expected, INDArray actual) {
            if (problem != null) return;
            if (!Arrays.equals(expected.shape(), actual.shape())) {
                problem = what + " has shape " + Arrays.toString(actual.shape()) + ", PyTorch's "
                        + Arrays.toString(expected.shape());
                return;
            }
            double[] a = actual.dup('c').data().asDouble();
            double err = error(expected, a, Math.max(expected.rms(), KIND_SCALE_FRACTION * kindScale.get(quantity)));
            arrayErrors.put(what, err);
            errors.merge(quantity, err, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y));
            if (err > worstError || Double.isNaN(err)) {
                worstError = err;
                worst = what;
            }
        }

        double error(Digest d, double[] a, double scale) {
            double floor = scale > 0 ? scale : Double.MIN_NORMAL;
            double worst = 0;
            if (d.full()) {
                for (int i = 0; i < a.length; i++) worst = max(worst, scaled(a[i], d.values()[i], floor));
                return worst;
            }
            for (int k = 0; k < d.index().length; k++) {
                worst = max(worst, scaled(a[(int) d.index()[k]], d.sample()[k], floor));
            }
            double sum = 0, dot = 0;
            double[] w = dotWeights.fill(a.length);
            for (int i = 0; i < a.length; i++) {
                sum += a[i];
                dot += a[i] * w[i];
            }
            double aggregateFloor = floor * Math.sqrt(a.length);
            worst = max(worst, scaled(sum, d.sum(), aggregateFloor));
            return max(worst, scaled(dot, d.dot(), aggregateFloor));
        }

        static double scaled(double actual, double expected, double floor) {
            return Math.abs(actual - expected) / Math.max(Math.abs(expected), floor);
        }

        static double max(double a, double b) {
            return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
        }
    }

    /** A graph that exposes the gradient with respect to its input (DL4J computes it, and then discards it). */
    private static final class Probe extends ComputationGraph {
        Probe(ComputationGraphConfiguration conf) {
            super(conf);
        }

        /**
         * The gradients of the output layer's loss, given the labels set, keeping the gradient of the input (which
         * computeGradientAndScore clears).
         */
        Gradient backpropFromLabels() {
            calcBackpropGradients(false, false);
            return gradient;
        }

        /** The output layer's loss after {@link #backpropFromLabels}, which handed it its labels. */
        double loss() {
            return ((IOutputLayer) getOutputLayer(0)).computeScore(0, true, LayerWorkspaceMgr.noWorkspaces());
        }

        Gradient backprop(INDArray outputGradient) {
            calcBackpropGradients(false, false, outputGradient);
            return gradient;
        }

        INDArray inputGradient() {
            return getVertex(getConfiguration().getNetworkInputs().get(0)).getEpsilon().dup();
        }
    }
}
