package org.pnrspark.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collection;

/**
 * A ReLU layer: DL4J's {@link ActivationLayer} with the plain ReLU, whose training-mode forward and backward run
 * in one pass each ({@link KernelSwitches#relu()}, on ND4J's CPU backend only): DL4J's copies the input first in
 * both directions (a full-size allocation and copy) and then applies the ReLU or its derivative in place; the
 * backward pass of float32 data runs {@link FloatKernels#reluGradient}, libnd4j's relu_bp calling a {@code std::function} per value. Same values.
 *
 * <p>A JSON bean like its parent.
 */
public class Relu extends ActivationLayer {
    public Relu() {
        super(new ActivationReLU());
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return RuntimeLayers.wire(new Impl(conf, networkDataType), this, conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public Relu clone() {
        return (Relu) super.clone();
    }

    /** The runtime layer. */
    public static final class Impl extends org.deeplearning4j.nn.layers.ActivationLayer {
        private static final ActivationReLU PLAIN = new ActivationReLU();

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        private boolean fast() {
            return KernelSwitches.relu() && PLAIN.equals(layerConf().getActivationFn()) && input.dataType() == dataType;
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
            if (!training || !fast()) return super.activate(training, mgr);
            assertInputSet(false);
            INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, input.shape(), 'c');
            Nd4j.exec(new RectifiedLinear(input, out, 0.0));
            return out;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
            if (!fast() || epsilon.dataType() != dataType) return super.backpropGradient(epsilon, mgr);
            assertInputSet(true);
            INDArray delta = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
            if (FloatKernels.applies(input) && FloatKernels.applies(epsilon)) {
                FloatKernels.reluGradient(input, epsilon, delta);
            } else {
                Nd4j.exec(new RectifiedLinearDerivative(input, epsilon, delta));
            }
            return new Pair<>(new DefaultGradient(), delta);
        }
    }
}
