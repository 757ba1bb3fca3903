package org.pnrspark.eval;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.pnrspark.testutil.SparkTestSession;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocks of features travel from the executors (through Spark's Kryo) and land at their images' rows, or become the
 * rows of MLlib's DataFrame.
 */
class FeatureSetTest {
    private static final int DIM = 3;

    /** Image i has label i mod 7 and features (i, i + 0.25, -i). */
    private static FeatureBlock block(int start, int count) {
        int[] labels = new int[count];
        float[] features = new float[count * DIM];
        for (int k = 0; k < count; k++) {
            int i = start + k;
            labels[k] = i % 7;
            features[k * DIM] = i;
            features[k * DIM + 1] = i + 0.25f;
            features[k * DIM + 2] = -i;
        }
        return new FeatureBlock(start, labels, features);
    }

    private static JavaRDD<FeatureBlock> shuffledBlocks(int size, int batch, boolean dropOne) {
        List<FeatureBlock> blocks = new ArrayList<>();
        for (int s = 0; s < size; s += batch) blocks.add(block(s, Math.min(batch, size - s)));
        Collections.shuffle(blocks, new Random(1));
        if (dropOne) blocks.remove(0);
        return JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext()).parallelize(blocks, 3);
    }

    @Test
    void blocksInAnyOrderBecomeRowsInIndexOrder() {
        FeatureSet set = FeatureSet.collect(shuffledBlocks(103, 10, false), 103);
        float[][] rows = set.features().toFloatMatrix();
        for (int i = 0; i < 103; i++) {
            assertArrayEquals(new float[] {i, i + 0.25f, -i}, rows[i]);
            assertEquals(i % 7, set.labels()[i]);
        }
    }

    @Test
    void blocksBecomeTheRowsMllibReads() {
        List<Row> rows = FeatureExtraction.frame(SparkTestSession.get(), shuffledBlocks(23, 5, false)).collectAsList();
        assertEquals(23, rows.size());
        for (Row r : rows) {
            int i = r.getInt(0);
            assertEquals(i % 7, r.getDouble(1));
            assertArrayEquals(new double[] {i, i + 0.25, -i}, ((Vector) r.get(2)).toArray());
        }
    }

    @Test
    void aMissingBlockIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FeatureSet.collect(shuffledBlocks(103, 10, true), 103));
        assertTrue(e.getMessage().contains("expected features of 103 images"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FeatureBlock(0, new int[2], new float[5]));
        // as many images as expected, but one block twice and another missing
        List<FeatureBlock> twice = new ArrayList<>();
        for (int s = 0; s < 30; s += 10) twice.add(block(s == 20 ? 10 : s, 10));
        e = assertThrows(IllegalStateException.class, () -> FeatureSet.collect(
                JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext()).parallelize(twice, 2), 30));
        assertTrue(e.getMessage().contains("images 10..19 arrived twice"), e.getMessage());
    }
}
