package org.pnrspark.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Collection;

/**
 * PyTorch's {@code BatchNorm1d}/{@code BatchNorm2d} (eps 1e-5, momentum 0.1, affine) as a DL4J layer. It is DL4J's
 * batch normalisation with two differences that matter for parity with the reference:
 * <ul>
 * <li>the running variance moves towards the <em>unbiased</em> batch variance (n / (n − 1) times the biased one
 *     that normalises the batch), as PyTorch's does; DL4J's moves towards the biased one;</li>
 * <li>the running variance is stored as a variance (parameter {@code var}), not as DL4J's log10 of the standard
 *     deviation, so that the correction above is exact.</li>
 * </ul>
 * It has no activation: DL4J's batch normalisation silently ignores a configured activation, so a ReLU after it is a
 * layer of its own ({@link NetworkBlocks#batchNormRelu}). The activation is fixed to identity so that the
 * configuration says what the layer does.
 */
public class BatchNorm extends BatchNormalization {
    /** PyTorch's default momentum 0.1 is DL4J's decay 0.9: running ← 0.9·running + 0.1·batch. */
    static final double DECAY = 0.9;
    static final double EPS = 1e-5;

    /**
     * Statistic groups in training mode: 1 normalises the whole minibatch together; 2 normalises the even rows (every
     * image's view 1) and the odd rows (view 2) apart, as the reference's one forward pass per view does
     * (docs/reference.md §2), the running statistics moving towards view 1's, then view 2's. Configurations written
     * before the field existed have 1.
     */
    private int viewGroups = 1;

    public BatchNorm() {
        super();
        setDecay(DECAY);
        setEps(EPS);
        setUseLogStd(false);
        setActivationFn(new ActivationIdentity());
    }

    public int getViewGroups() {
        return Math.max(1, viewGroups);
    }

    public void setViewGroups(int viewGroups) {
        if (viewGroups < 1) throw new IllegalArgumentException("view groups must be at least 1, not " + viewGroups);
        this.viewGroups = viewGroups;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return RuntimeLayers.wire(new Impl(conf, networkDataType), this, conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /**
     * DL4J's batch-norm layer with PyTorch's running-variance update, and (for 4D NCHW input in training mode,
     * {@link KernelSwitches#bn()}, on ND4J's CPU backend only) its own forward and backward kernels: DL4J's oneDNN
     * helper reduces the batch mean and variance with ND4J's generic reductions over dimensions (0, 2, 3), and
     * libnd4j's batchnorm_bp corrects oneDNN's global-statistics gradient with about eight more passes and
     * full-size temporaries. Here the input is
     * N·C contiguous rows of H·W values. In float32 the statistics, the output and the input gradient
     * k1·dy + k2·(x − μ) + k3 are two passes each of {@link FloatKernels}; in float64 the statistics are ND4J row
     * sums and sums of squares combined per channel and the affine maps run libnd4j's batchnorm op.
     *
     * <p>With G view groups (G > 1, 2D or 4D input, any backend), the [G·N', C, ...] input, whose rows cycle through
     * the groups, is read as [N', G·C, ...]: row r of the NCHW data then belongs to channel r mod (G·C) of that view,
     * which is (group, channel). The same kernels give each group its own statistics; γ and β are shared (their
     * gradients summed over the groups) and the running statistics take one update per group, in group order.
     */
    public static final class Impl extends org.deeplearning4j.nn.layers.normalization.BatchNormalization {
        /** Batch statistics of the last training-mode forward pass of the own kernels, per (group, channel), else null. */
        private INDArray batchMean;
        private INDArray batchVar;
        private INDArray invStd;

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        private int groups() {
            return layerConf() instanceof BatchNorm b ? b.getViewGroups() : 1;
        }

        private boolean fast(INDArray x) {
            return KernelSwitches.bn() && x.rank() == 4 && layerConf().getCnn2DFormat() == CNN2DFormat.NCHW
                    && !layerConf().isLockGammaBeta() && !layerConf().isUseLogStd();
        }

        /** Whether a training-mode pass runs the own kernels: always with view groups, which DL4J's cannot do. */
        private boolean ownKernels(INDArray x) {
            if (groups() == 1) return fast(x);
            boolean nchw = x.rank() == 4 && layerConf().getCnn2DFormat() == CNN2DFormat.NCHW;
            if (!(x.rank() == 2 || nchw) || layerConf().isLockGammaBeta() || layerConf().isUseLogStd()) {
                throw new IllegalStateException("layer " + layerId() + ": batch norm with " + groups()
                        + " view groups needs 2D or NCHW input and learnable gamma and beta, not "
                        + x.shapeInfoToString());
            }
            if (x.size(0) % groups() != 0) {
                throw new IllegalStateException("layer " + layerId() + ": a minibatch of " + x.size(0)
                        + " rows cannot hold " + groups() + " views of each image");
            }
            return true;
        }

        /** x [G·N', C, H, W] or [G·N', C] as [N', G·C, H·W, 1]: one channel per (group, channel); a view. */
        private INDArray grouped(INDArray x) {
            int g = groups();
            long s = x.rank() == 4 ? x.size(2) * x.size(3) : 1;
            if (g == 1 && x.rank() == 4) return x;
            return x.reshape('c', x.size(0) / g, g * x.size(1), s, 1);
        }

        /** A per-channel parameter repeated for every group: [G·C]. */
        private INDArray perGroup(INDArray v) {
            int g = groups();
            return g == 1 ? v : Nd4j.tile(v.reshape(1, v.length()), g, 1).reshape(g * v.length());
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            batchMean = null;
            if (!training || !ownKernels(input)) return super.activate(training, workspaceMgr);
            assertInputSet(false);
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, input.shape(), 'c');
            INDArray x = grouped(contiguous(input));
            INDArray outView = grouped(out);
            long c = x.size(1);
            long channels = input.size(1);
            INDArray gamma = perGroup(getParam(BatchNormalizationParamInitializer.GAMMA).reshape(channels));
            INDArray beta = perGroup(getParam(BatchNormalizationParamInitializer.BETA).reshape(channels));
            if (FloatKernels.applies(x)) {
                double[] mean = new double[(int) c], var = new double[(int) c];
                FloatKernels.channelMoments(x, mean, var);
                float[] center = new float[(int) c], scale = new float[(int) c], shift = beta.toFloatVector();
                float[] g = gamma.toFloatVector();
                double[] inv = new double[(int) c];
                for (int j = 0; j < c; j++) {
                    center[j] = (float) mean[j];
                    inv[j] = 1 / Math.sqrt(var[j] + layerConf().getEps());
                    scale[j] = (float) (g[j] * inv[j]);
                }
                FloatKernels.channelAffine(x, center, scale, shift, outView);
                try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    batchMean = Nd4j.createFromArray(mean).castTo(dataType);
                    batchVar = Nd4j.createFromArray(var).castTo(dataType);
                    invStd = Nd4j.createFromArray(inv).castTo(dataType);
                }
                return out;
            }
            long n = x.size(0), s = x.size(2) * x.size(3);
            INDArray rows = x.reshape('c', n * c, s);
            // per row (one example, one channel): mean and biased variance from the sum and the sum of squares, two
            // fast reductions (ND4J's stable variance takes twice as long). In float32 the variance's relative error
            // is about 1e-7·(1 + mean²/variance): negligible unless a channel's mean is hundreds of its deviations
            // (KernelSwitchesTest checks a mean of 20 deviations); float32 takes the kernels above, which have no such
            // limit
            INDArray rowMean = rows.sum(1).reshape(n * c).divi(s);
            INDArray rowVar = rows.norm2(1).reshape(n * c);
            rowVar.muli(rowVar).divi(s).subi(rowMean.mul(rowMean));
            Transforms.max(rowVar, 0.0, false);
            INDArray mean = rowMean.reshape(n, c).mean(0);
            // law of total variance: the channel's variance is the mean row variance plus the variance of the row means
            INDArray spread = rowMean.reshape(n, c).subRowVector(mean.reshape(1, c));
            INDArray var = rowVar.reshape(n, c).addi(spread.muli(spread)).mean(0);
            try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                batchMean = mean.dup();
                batchVar = var.dup();
                invStd = Transforms.pow(var.add(layerConf().getEps()), -0.5, false);
            }
            affine(x, batchMean, batchVar, gamma, beta, layerConf().getEps(), outView);
            return out;
        }

        /** {@code a} in the layer's data type, as one C-ordered block (it is already, as a rule: then no copy). */
        private INDArray contiguous(INDArray a) {
            INDArray x = a.castTo(dataType);
            return FloatKernels.denseInCOrder(x) ? x : x.dup('c');
        }

        /**
         * out = γ·(x − μ)/√(σ² + eps) + β per channel (axis 1) in one pass: libnd4j's batchnorm op, which oneDNN runs
         * for float32 (one pass over NCHW data).
         */
        private static void affine(INDArray x, INDArray mean, INDArray var, INDArray gamma, INDArray beta, double eps,
                INDArray out) {
            Nd4j.exec(DynamicCustomOp.builder("batchnorm").addInputs(x, mean, var, gamma, beta)
                    .addIntegerArguments(1, 1, 1).addFloatingPointArguments(eps).addOutputs(out).build());
        }

        /**
         * DL4J expresses the running-statistics update as a "gradient" g that its updater subtracts unchanged:
         * g_var = (1 − d)(var − b) with b the biased batch variance. PyTorch moves towards c·b, c = n / (n − 1), so
         * the gradient becomes (1 − d)(var − c·b) = c·g_var + (1 − d)(1 − c)·var.
         */
        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            if (batchMean != null) return fastBackprop(epsilon, workspaceMgr);
            long n = input.length() / input.size(1);
            Pair<Gradient, INDArray> result = super.backpropGradient(epsilon, workspaceMgr);
            if (n > 1) {
                double c = n / (n - 1.0);
                double d = layerConf().getDecay();
                INDArray gVar = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_VAR);
                INDArray var = getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
                gVar.muli(c).addi(var.mul((1 - d) * (1 - c)));
            }
            return result;
        }

        /**
         * With x̂ = (x − μ)·σ⁻¹: dβ = Σ dy, dγ = σ⁻¹·(Σ dy·x − μ·Σ dy), and
         * dx = γσ⁻¹·(dy − dβ/M − x̂·dγ/M) = k1·dy + k2·x + k3 per channel, k1 = γσ⁻¹, k2 = −γσ⁻²·dγ/M,
         * k3 = −k1·dβ/M − k2·μ (M = N·H·W).
         */
        private Pair<Gradient, INDArray> fastBackprop(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            INDArray dxOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
            INDArray x = grouped(contiguous(input));
            INDArray dy = grouped(contiguous(epsilon));
            INDArray dx = grouped(dxOut);
            long n = x.size(0), c = x.size(1), s = x.size(2) * x.size(3);
            long m = n * s;
            long channels = input.size(1);
            INDArray gamma = perGroup(getParam(BatchNormalizationParamInitializer.GAMMA).reshape(channels));
            INDArray sumDy, dGamma;
            if (FloatKernels.applies(x) && FloatKernels.applies(dy)) {
                // centred on the batch mean: dγ = σ⁻¹·Σ dy·(x − μ), dx = k1·dy + k2·(x − μ) + k3, k2 = −γσ⁻²·dγ/M,
                // k3 = −k1·dβ/M
                float[] center = batchMean.toFloatVector();
                double[] sDy = new double[(int) c], sDyX = new double[(int) c];
                FloatKernels.channelGradientSums(dy, x, center, sDy, sDyX);
                double[] inv = invStd.toDoubleVector(), g = gamma.toDoubleVector(), dG = new double[(int) c];
                float[] k1 = new float[(int) c], k2 = new float[(int) c], k3 = new float[(int) c];
                for (int j = 0; j < c; j++) {
                    dG[j] = sDyX[j] * inv[j];
                    double a = g[j] * inv[j];
                    k1[j] = (float) a;
                    k2[j] = (float) (-a * inv[j] * dG[j] / m);
                    k3[j] = (float) (-a * sDy[j] / m);
                }
                FloatKernels.channelGradientInput(dy, x, center, k1, k2, k3, dx);
                sumDy = Nd4j.createFromArray(sDy).castTo(dataType);
                dGamma = Nd4j.createFromArray(dG).castTo(dataType);
            } else {
                INDArray rows = x.reshape('c', n * c, s);
                INDArray dyRows = dy.reshape('c', n * c, s);
                sumDy = dyRows.sum(1).reshape(n, c).sum(0);
                INDArray rowDot = Nd4j.createUninitialized(dataType, n * c);
                Nd4j.getExecutioner().exec(new Dot(dyRows, rows, rowDot, 1));
                INDArray sumDyX = rowDot.reshape(n, c).sum(0);
                dGamma = sumDyX.sub(batchMean.mul(sumDy)).muli(invStd);
                INDArray k1 = gamma.mul(invStd);
                INDArray k2 = k1.mul(invStd).muli(dGamma).muli(-1.0 / m);
                INDArray k3 = k1.mul(sumDy).muli(-1.0 / m).subi(k2.mul(batchMean));
                // both terms as per-channel affine maps (mean 0, variance 1, eps 0): one pass each, then their sum
                INDArray zero = Nd4j.zeros(dataType, c);
                INDArray one = Nd4j.ones(dataType, c);
                affine(dy, zero, one, k1, zero, 0.0, dx);
                INDArray xTerm = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, x.shape(), 'c');
                affine(x, zero, one, k2, k3, 0.0, xTerm);
                dx.addi(xTerm);
            }

            // γ and β are shared by the groups: their gradients add up
            int groups = groups();
            INDArray dGammaView = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
            INDArray dBetaView = gradientViews.get(BatchNormalizationParamInitializer.BETA);
            dGammaView.assign(dGamma.reshape(groups, channels).sum(0).reshape(dGammaView.shape()));
            dBetaView.assign(sumDy.reshape(groups, channels).sum(0).reshape(dBetaView.shape()));
            // the running statistics move towards each group's in turn: after G updates
            // running' = d^G·running + Σ_g d^(G−1−g)·(1 − d)·batch_g; DL4J's updater subtracts running − running',
            // which for one group is (1 − d)·(running − batch)
            double d = layerConf().getDecay();
            double unbiased = m > 1 ? m / (m - 1.0) : 1.0;
            INDArray globalMean = getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).reshape(channels);
            INDArray globalVar = getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).reshape(channels);
            INDArray meanStep, varStep;
            if (groups == 1) {
                meanStep = globalMean.sub(batchMean).muli(1 - d);
                varStep = globalVar.sub(batchVar.mul(unbiased)).muli(1 - d);
            } else {
                INDArray newMean = globalMean.mul(Math.pow(d, groups));
                INDArray newVar = globalVar.mul(Math.pow(d, groups));
                for (int g = 0; g < groups; g++) {
                    double w = Math.pow(d, groups - 1 - g) * (1 - d);
                    INDArrayIndex range = NDArrayIndex.interval(g * channels, (g + 1) * channels);
                    newMean.addi(batchMean.get(range).mul(w));
                    newVar.addi(batchVar.get(range).mul(w * unbiased));
                }
                meanStep = globalMean.sub(newMean);
                varStep = globalVar.sub(newVar);
            }
            INDArray dMeanView = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN);
            INDArray dVarView = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_VAR);
            dMeanView.assign(meanStep.reshape(dMeanView.shape()));
            dVarView.assign(varStep.reshape(dVarView.shape()));

            Gradient g = new DefaultGradient();
            g.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
            g.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
            g.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN, dMeanView);
            g.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_VAR, dVarView);
            return new Pair<>(g, dxOut);
        }
    }
}
