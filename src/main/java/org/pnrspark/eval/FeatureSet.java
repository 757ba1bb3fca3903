package org.pnrspark.eval;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/** Frozen-encoder features of a split on the driver: row i is image i of the split. */
public record FeatureSet(INDArray features, int[] labels) {
    /** Collects a (index, label, features) DataFrame of {@link FeatureExtraction} in index order. */
    public static FeatureSet collect(Dataset<Row> frame, int size) {
        List<Row> rows = frame.collectAsList();
        if (rows.size() != size) throw new IllegalStateException("expected features of " + size + " images, got " + rows.size());
        int dim = ((Vector) rows.get(0).get(2)).size();
        float[] values = new float[size * dim];
        int[] labels = new int[size];
        for (Row r : rows) {
            int index = r.getInt(0);
            labels[index] = (int) r.getDouble(1);
            double[] v = ((Vector) r.get(2)).toArray();
            for (int d = 0; d < dim; d++) values[index * dim + d] = (float) v[d];
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
