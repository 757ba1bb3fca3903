package org.pnrspark.util;

import org.nd4j.linalg.factory.Nd4j;

/**
 * The thread count of ND4J's BLAS (OpenBLAS on the CPU backend), which is one setting for the whole process, set
 * for a while and then restored. For work that splits itself over Java threads: on long, thin matrix products (the
 * linear probe's) OpenBLAS's own threads were slower than Java threads each calling single-threaded BLAS on a part of
 * the rows. Only for the driver's evaluation, when no Spark task runs in the process.
 */
public final class BlasThreads implements AutoCloseable {
    private final int previous;

    private BlasThreads(int threads) {
        previous = Nd4j.factory().blas().getMaxThreads();
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    /** One BLAS thread until {@link #close()}. */
    public static BlasThreads single() {
        return new BlasThreads(1);
    }

    @Override
    public void close() {
        Nd4j.factory().blas().setMaxThreads(previous);
    }
}
