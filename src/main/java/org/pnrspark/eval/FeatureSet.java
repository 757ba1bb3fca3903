package org.pnrspark.eval;

import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/** Frozen-encoder features of a split on the driver: row i is image i of the split. */
public record FeatureSet(INDArray features, int[] labels) {
    /** Collects the blocks of {@link FeatureExtraction#blocks} of images 0..size-1, in index order. */
    public static FeatureSet collect(JavaRDD<FeatureBlock> blocks, int size) {
        List<FeatureBlock> collected = blocks.collect();
        int dim = collected.isEmpty() ? 0 : collected.get(0).dim();
        long total = (long) size * dim;
        if (total > Integer.MAX_VALUE - 8) {
            // one Java array holds them on the driver: ImageNet-1k's 1.28 M x 2048 would not fit
            throw new IllegalStateException(size + " images x " + dim + " features are more than one array holds on "
                    + "the driver; turn k-NN off (eval.knn.enabled = false) and set "
                    + "eval.linear_probe.driver_max_mb = 0 to leave the probe to MLlib");
        }
        float[] values = new float[(int) total];
        int[] labels = new int[size];
        java.util.BitSet seen = new java.util.BitSet(size);
        for (FeatureBlock b : collected) {
            if (b.start() < 0 || b.start() + b.count() > size || b.dim() != dim) {
                throw new IllegalStateException("a block of features of images " + b.start() + ".."
                        + (b.start() + b.count() - 1) + " x " + b.dim() + " does not fit " + size + " x " + dim);
            }
            if (seen.get(b.start(), b.start() + b.count()).cardinality() > 0) {
                throw new IllegalStateException("features of images " + b.start() + ".." + (b.start() + b.count() - 1)
                        + " arrived twice");
            }
            seen.set(b.start(), b.start() + b.count());
            System.arraycopy(b.labels(), 0, labels, b.start(), b.count());
            System.arraycopy(b.features(), 0, values, b.start() * dim, b.count() * dim);
        }
        if (seen.cardinality() != size) {
            throw new IllegalStateException("expected features of " + size + " images, got " + seen.cardinality());
        }
        return new FeatureSet(Nd4j.create(values, new long[] {size, dim}, 'c'), labels);
    }

    public int size() {
        return labels.length;
    }

    public int dim() {
        return (int) features.size(1);
    }

    /** The features as float64, for the probes' arithmetic. */
    INDArray asDouble() {
        return features.castTo(DataType.DOUBLE);
    }
}
