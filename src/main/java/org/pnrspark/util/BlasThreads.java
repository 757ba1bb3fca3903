package org.pnrspark.util;

import org.nd4j.linalg.factory.Nd4j;

/**
 * The thread count of ND4J's BLAS (OpenBLAS on the CPU backend), which is one setting for the whole process, set
 * for a while and then restored. For work that splits itself over Java threads: on long, thin matrix products (the
 * linear probe's 60,000 x 256 by 256 x 10) OpenBLAS's own threads ran slower than one, and two Java threads each
 * calling single-threaded BLAS on half of the rows took 0.6 of the time. Only for the driver's evaluation, when no
 * Spark task runs in the process.
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
