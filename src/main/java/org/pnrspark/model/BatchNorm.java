package org.pnrspark.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;

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

    public BatchNorm() {
        super();
        setDecay(DECAY);
        setEps(EPS);
        setUseLogStd(false);
        setActivationFn(new ActivationIdentity());
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        Impl layer = new Impl(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        ParamInitializer init = initializer();
        Map<String, INDArray> params = init.init(conf, layerParamsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    /** DL4J's batch-norm layer with PyTorch's running-variance update. */
    public static final class Impl extends org.deeplearning4j.nn.layers.normalization.BatchNormalization {
        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        /**
         * DL4J expresses the running-statistics update as a "gradient" g that its updater subtracts unchanged:
         * g_var = (1 − d)(var − b) with b the biased batch variance. PyTorch moves towards c·b, c = n / (n − 1), so
         * the gradient becomes (1 − d)(var − c·b) = c·g_var + (1 − d)(1 − c)·var.
         */
        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
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
    }
}
