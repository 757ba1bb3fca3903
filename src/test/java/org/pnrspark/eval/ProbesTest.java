package org.pnrspark.eval;

import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.InvalidConfigException;
import org.pnrspark.config.JobConfig;
import org.pnrspark.config.MethodKind;
import org.pnrspark.config.Named;
import org.pnrspark.testutil.SparkTestSession;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The linear probes and k-NN on synthetic features whose answer is known. */
class ProbesTest {
    private static final int CLASSES = 5, DIM = 16;

    /** Linearly separable: class c is a unit direction plus noise of 0.3 per coordinate (mean[c] · 3). */
    static FeatureSet separable(int perClass, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = perClass * CLASSES;
        float[] x = new float[n * DIM];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % CLASSES;
            for (int d = 0; d < DIM; d++) x[i * DIM + d] = (float) (0.3 * rng.nextGaussian() + (d == y[i] ? 3 : 0));
        }
        return new FeatureSet(Nd4j.create(x, new long[] {n, DIM}, 'c'), y);
    }

    static double accuracy(int[] predicted, int[] labels) {
        int ok = 0;
        for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) ok++;
        return (double) ok / labels.length;
    }

    @Test
    void fastProbeSeparatesSeparableFeatures() {
        SparkSession spark = SparkTestSession.get();
        FeatureSet train = separable(60, 1), test = separable(40, 2);
        JobConfig.Eval eval = ConfigLoader.load(List.of(), List.of()).eval();
        int[] predicted = LinearProbe.predictWithMllib(frame(spark, train), frame(spark, test), test.size(), eval);
        double acc = accuracy(predicted, test.labels());
        assertTrue(acc >= 0.95, "fast probe accuracy " + acc);
    }

    @Test
    void fastProbeOnTheDriverSeparatesSeparableFeaturesAndTheSizeChoosesWhere() {
        FeatureSet train = separable(60, 1), test = separable(40, 2);
        JobConfig.Eval eval = ConfigLoader.load(List.of(), List.of()).eval();
        double acc = accuracy(LinearProbe.predict(train, test, eval), test.labels());
        assertTrue(acc >= 0.95, "driver probe accuracy " + acc);
        // Fashion-MNIST's 60,000 x 256 features as float64 are 117 MiB; ImageNet-100's 126,689 x 512, 495 MiB
        assertEquals(2048, eval.probeDriverMaxMb());
        long gib = 1L << 30, mib = 1L << 20;
        assertTrue(LinearProbe.onDriver(60_000, 256, eval, gib) && LinearProbe.onDriver(126_689, 512, eval, gib));
        JobConfig.Eval small = ConfigLoader.load(List.of(), List.of("eval.linear_probe.driver_max_mb=118")).eval();
        assertTrue(LinearProbe.onDriver(60_416, 256, small, gib), "118 MiB: 60,416 rows of 2 KiB");
        assertFalse(LinearProbe.onDriver(60_417, 256, small, gib));
        JobConfig.Eval never = ConfigLoader.load(List.of(), List.of("eval.linear_probe.driver_max_mb=0")).eval();
        assertFalse(LinearProbe.onDriver(1, 1, never, gib));
        // collected as float32, within nine tenths of spark.driver.maxResultSize (0: no limit): ImageNet-100's
        // 247 MiB not under a 100 MiB limit, Fashion-MNIST's 59 MiB yes; the default 2048 MiB of doubles is 1 GiB
        // of floats, more than Spark's default 1g returns
        assertFalse(LinearProbe.onDriver(126_689, 512, eval, 100 * mib));
        assertTrue(LinearProbe.onDriver(60_000, 256, eval, 100 * mib) && LinearProbe.onDriver(126_689, 512, eval, 0));
        assertFalse(LinearProbe.onDriver(1L << 20, 256, eval, gib));
        assertTrue(LinearProbe.onDriver(1L << 20, 256, eval, 0));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(List.of(), List.of("eval.linear_probe.driver_max_mb=-1")));
        assertTrue(e.getMessage().contains("eval.linear_probe.driver_max_mb") && e.getMessage().contains("-1"),
                e.getMessage());
    }

    @Test
    void offlineProbeSeparatesSeparableFeaturesAndIsSeeded() {
        FeatureSet train = separable(60, 1), test = separable(40, 2);
        JobConfig.OfflineProbe p = ConfigLoader.load(List.of(), List.of("eval.linear_probe.offline.epochs=20",
                "eval.linear_probe.offline.batch_size=32")).eval().offline();
        int[] a = OfflineLinearProbe.predict(train, test, CLASSES, p, 0.1, 5);
        assertTrue(accuracy(a, test.labels()) >= 0.95, "offline probe accuracy " + accuracy(a, test.labels()));
        assertArrayEquals(a, OfflineLinearProbe.predict(train, test, CLASSES, p, 0.1, 5));
    }

    @Test
    void offlineScheduleStepsAtTheMilestones() {
        JobConfig.OfflineProbe p = ConfigLoader.load(List.of(), List.of()).eval().offline();
        assertEquals(100, p.epochs());
        assertEquals(0.0, p.momentum(), "the PNR code's default");
        assertEquals(3.0, OfflineLinearProbe.lrAt(0, 3.0, p), 1e-12);
        assertEquals(3.0, OfflineLinearProbe.lrAt(59, 3.0, p), 1e-12);
        assertEquals(0.3, OfflineLinearProbe.lrAt(60, 3.0, p), 1e-12);
        assertEquals(0.3, OfflineLinearProbe.lrAt(79, 3.0, p), 1e-12);
        assertEquals(0.03, OfflineLinearProbe.lrAt(80, 3.0, p), 1e-12);
        assertEquals(0.03, OfflineLinearProbe.lrAt(99, 3.0, p), 1e-12);
        assertEquals(List.of(1.0, 3.0, 3.0, 0.1, 0.3), List.of("simclr", "mocov2plus", "byol", "barlow", "vicreg")
                .stream().map(m -> Named.parse(MethodKind.class, "method.name", m, "").referenceProbeLr()).toList());
    }

    @Test
    void knnVotesWithSimilarityWeights() {
        FeatureSet train = separable(30, 3), test = separable(20, 4);
        int[] predicted = KnnClassifier.predict(train, test, CLASSES, 20, 0.07);
        assertTrue(accuracy(predicted, test.labels()) >= 0.95);
        // one very similar neighbour of class 1 outweighs two less similar ones of class 0 at a low temperature
        float[] sims = {0.5f, 0.5f, 0.9f, -1f};
        int[] labels = {0, 0, 1, 2};
        assertEquals(1, KnnClassifier.vote(sims, labels, 3, 3, 0.07));
        // at a high temperature the votes are nearly counts
        assertEquals(0, KnnClassifier.vote(sims, labels, 3, 3, 100));
        // k = 1: the nearest only
        assertEquals(1, KnnClassifier.vote(sims, labels, 3, 1, 100));
    }

    /** The (index, label, features) DataFrame of FeatureExtraction, for MLlib. */
    static Dataset<Row> frame(SparkSession spark, FeatureSet set) {
        List<Row> rows = new ArrayList<>();
        float[][] x = set.features().toFloatMatrix();
        for (int i = 0; i < set.size(); i++) {
            double[] v = new double[set.dim()];
            for (int d = 0; d < v.length; d++) v[d] = x[i][d];
            rows.add(RowFactory.create(i, (double) set.labels()[i], Vectors.dense(v)));
        }
        return spark.createDataFrame(rows, FeatureExtraction.SCHEMA);
    }
}
