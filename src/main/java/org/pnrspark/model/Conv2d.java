package org.pnrspark.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's 2D convolution, whose backprop does not compute the forward pass a second time when the layer has no
 * activation. DL4J's {@code ConvolutionLayer.backpropGradient} recomputes the pre-activation z only to pass it to the
 * activation's derivative, which for the identity is the incoming gradient itself: with oneDNN that second forward
 * convolution (and its two layout reorders) is about a fifth of a convolution layer's training time. The result is
 * the same: the identity's derivative does not read z. Off with {@link KernelSwitches#conv}, and on any backend but
 * ND4J's CPU one.
 *
 * <p>A JSON bean like its parent: DL4J ships layer configurations as JSON.
 */
public class Conv2d extends ConvolutionLayer {
    public Conv2d() {
        super();
    }

    protected Conv2d(BaseConvBuilder<?> builder) {
        super(builder);
    }

    /** The convolution of {@code b}'s settings as a {@link Conv2d}. */
    public static Conv2d of(ConvolutionLayer.Builder b) {
        b.build(); // the builder's validation
        return new Conv2d(b);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return RuntimeLayers.wire(new Impl(conf, networkDataType), this, conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public Conv2d clone() {
        return (Conv2d) super.clone();
    }

    /** The runtime layer: the gradient of an identity activation stands in for z during backprop. */
    public static final class Impl extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
        private INDArray backpropEpsilon;

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            if (!KernelSwitches.conv() || !(layerConf().getActivationFn() instanceof ActivationIdentity)) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            backpropEpsilon = epsilon.dataType() == dataType ? epsilon : epsilon.castTo(dataType);
            try {
                return super.backpropGradient(epsilon, workspaceMgr);
            } finally {
                backpropEpsilon = null;
            }
        }

        /**
         * During backprop DL4J asks for (z, im2col) only to apply the activation's derivative and, in its built-in
         * kernel, to reuse im2col (it recomputes it when absent). z is never read by the identity's derivative;
         * the incoming gradient has its shape and layout.
         */
        @Override
        protected Pair<INDArray, INDArray> preOutput4d(boolean training, boolean forBackprop,
                LayerWorkspaceMgr workspaceMgr) {
            if (forBackprop && backpropEpsilon != null) {
                return new Pair<>(backpropEpsilon, null); // in the layer's own format, as z would be
            }
            return super.preOutput4d(training, forBackprop, workspaceMgr);
        }
    }
}
