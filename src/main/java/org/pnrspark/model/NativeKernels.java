package org.pnrspark.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which native kernels a network runs on, for the log: ND4J's backend and native build (the JavaCPP platform
 * extension, e.g. -onednn-avx2), the helpers DL4J chose for convolution and batch norm (oneDNN's, cuDNN's, or
 * none: DL4J's built-in kernels, several times slower on a CPU), and whose layer kernels run ({@link KernelSwitches}:
 * pnr-spark's on the CPU backend, DL4J's on any other).
 */
public final class NativeKernels {
    private NativeKernels() {}

    public static String describe(ComputationGraph net) {
        String extension = System.getProperty("org.bytedeco.javacpp.platform.extension", "");
        return String.format("%s%s; layer helpers: convolution %s, batch norm %s; layer kernels: %s%s",
                Nd4j.getBackend().getClass().getSimpleName(), extension.isEmpty() ? "" : " (" + extension + ")",
                helper(net, ConvolutionLayer.class), helper(net, BatchNormalization.class), KernelSwitches.describe(),
                viewsApart(net) ? "; training batch norms keep the views apart (pnr-spark's, whatever the above)" : "");
    }

    /** Whether a batch norm of the network normalises the views apart in training: it then runs its own code. */
    private static boolean viewsApart(ComputationGraph net) {
        for (Layer layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof BatchNorm bn && bn.getViewGroups() > 1) return true;
        }
        return false;
    }

    /** The simple class name of the helper of the first layer of that type, "none" or "no such layer". */
    private static String helper(ComputationGraph net, Class<? extends Layer> type) {
        for (Layer layer : net.getLayers()) {
            if (!type.isInstance(layer)) continue;
            Object helper = layer.getHelper();
            return helper == null ? "none (DL4J's built-in kernels)" : helper.getClass().getSimpleName();
        }
        return "no such layer";
    }
}
