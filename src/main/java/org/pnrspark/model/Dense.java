package org.pnrspark.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Collection;

/**
 * DL4J's dense layer, whose backprop does not compute the forward pass a second time. DL4J's
 * {@code BaseLayer.backpropGradient} recomputes z = xW + b only to pass it to the activation's derivative: one more
 * matrix product of the forward pass's size, a third of the products of the layer's backward pass (the projectors'
 * 2048-wide layers of Barlow Twins, VICReg and BYOL are most of their heads' time). The identity's derivative is the
 * incoming gradient itself and does not read z; the ReLU's is read from the layer's own output of the training
 * forward pass (out &gt; 0 exactly where z &gt; 0), kept until backprop as DL4J keeps the layer's input. Everything
 * else is DL4J's own operations on the same values in the same order: the gradients are DL4J's to the bit. Off with
 * {@link KernelSwitches#dense}, and on any backend but ND4J's CPU one.
 *
 * <p>A JSON bean like its parent: DL4J ships layer configurations as JSON.
 */
public class Dense extends DenseLayer {
    public Dense() {
        super();
    }

    /** The dense layer of {@code b}'s settings (validated by DL4J's builder) as a {@link Dense}. */
    public static Dense of(DenseLayer.Builder b) {
        DenseLayer built = b.build();
        Dense dense = new Dense();
        // DenseLayer's constructor from a builder is private: take over every field the built layer holds
        for (Class<?> c = DenseLayer.class; c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) continue;
                try {
                    f.setAccessible(true);
                    f.set(dense, f.get(built));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("copying the dense layer's field " + f, e);
                }
            }
        }
        return dense;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return RuntimeLayers.wire(new Impl(conf, networkDataType), this, conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public Dense clone() {
        return (Dense) super.clone();
    }

    /** The runtime layer. */
    public static final class Impl extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {
        private static final ActivationReLU PLAIN_RELU = new ActivationReLU();
        /** How many backward passes took the fast path, for the tests. */
        static final java.util.concurrent.atomic.AtomicLong FAST_BACKPROPS = new java.util.concurrent.atomic.AtomicLong();
        /** A ReLU layer's output of its last training-mode forward pass; null otherwise. */
        private INDArray trainingOutput;

        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        /** The configurations the fast backprop covers: no mask, dropout, weight noise or layer norm. */
        private boolean fast() {
            var c = layerConf();
            return KernelSwitches.dense() && maskArray == null && c.getIDropout() == null && c.getWeightNoise() == null
                    && !hasLayerNorm() && (identity() || PLAIN_RELU.equals(c.getActivationFn()));
        }

        private boolean identity() {
            return layerConf().getActivationFn() instanceof ActivationIdentity;
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            INDArray out = super.activate(training, workspaceMgr);
            trainingOutput = training && !identity() && fast() ? out : null;
            return out;
        }

        @Override
        public void clear() {
            super.clear();
            trainingOutput = null;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            INDArray out = trainingOutput;
            trainingOutput = null;
            if (!fast() || epsilon.dataType() != dataType || input == null || input.dataType() != dataType) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            INDArray delta;
            if (identity()) {
                delta = epsilon; // what DL4J's identity derivative returns
            } else if (out != null && Arrays.equals(out.shape(), epsilon.shape()) && FloatKernels.applies(out)
                    && FloatKernels.applies(epsilon)) {
                delta = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, epsilon.shape(), 'c');
                FloatKernels.reluGradient(out, epsilon, delta);
            } else {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            assertInputSet(true);
            FAST_BACKPROPS.incrementAndGet();
            // from here on, DL4J's BaseLayer.backpropGradient, in its order
            Gradient ret = new DefaultGradient();
            if (hasBias()) {
                INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
                delta.sum(biasGrad, 0);
                ret.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
            }
            INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
            INDArray epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(),
                    new long[] {w.size(0), delta.size(0)}, 'f');
            epsilonNext = w.mmuli(delta.transpose(), epsilonNext).transpose();
            INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
            Nd4j.gemm(input, delta, weightGrad, true, false, 1.0, 0.0);
            ret.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
            return new Pair<>(ret, epsilonNext);
        }
    }
}
