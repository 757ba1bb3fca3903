package org.pnrspark.eval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.model.KernelSwitches;

/**
 * Bulk copies between Java arrays and contiguous C-ordered float64 ND4J arrays that are reused from one call to the
 * next: allocating a fresh ND4J array of megabytes for every call cost more than the arithmetic done with it.
 */
final class HostCopy {
    private HostCopy() {}

    /** Copies the first {@code to.length} values of {@code from} into {@code to}. */
    static void read(INDArray from, double[] to) {
        from.data().asNioDouble().get(0, to, 0, to.length);
    }

    /**
     * {@code values} as an array of {@code target}'s shape: {@code target} itself, overwritten, on ND4J's CPU backend
     * (host memory); a new array elsewhere, as a GPU backend would not see a write to its host copy.
     */
    static INDArray write(double[] values, INDArray target) {
        if (!KernelSwitches.onCpuBackend()) return Nd4j.create(values, target.shape(), 'c');
        target.data().asNioDouble().put(0, values, 0, values.length);
        return target;
    }
}
