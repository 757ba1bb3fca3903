package org.pnrspark.eval;

import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.IdxReader;
import org.pnrspark.testutil.SparkTestSession;
import org.pnrspark.testutil.TestData;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver's probe fits MLlib's objective: on the same features as Spark MLlib's LogisticRegression (the settings of
 * the fast protocol) its predictions, coefficients and objective values agree with MLlib's, and a converged fit ends
 * no worse. Measured: every prediction identical (2,000 and 4,000); objective values within 3e-14 for the first ten
 * iterations; a fit converged in 46 iterations equal to 12 digits, coefficients within 2e-13. Later, rounding parts
 * the trajectories, as it parts MLlib's own on 1, 2, 3 or 4 partitions (after 44 to 60 iterations): where a fit
 * stopped at 100 iterations ends is down to rounding, on either side of MLlib's (measured 5e-9 below it; variants
 * that summed in other orders, 6e-10 below and 3e-9 above), within the spread of MLlib's own over partitionings
 * (0.6717108543 to 0.6717108569 on 1 to 4 partitions); its coefficients within 1e-4 of 91.
 */
class MultinomialLogisticRegressionTest {
    private static final JobConfig.Eval EVAL = ConfigLoader.load(List.of(), List.of()).eval();

    @Test
    void agreesWithMllibOnRealImages() throws IOException {
        // Fashion-MNIST's 10,000 test images, pixels through a fixed random projection to 48 features and a ReLU
        byte[] pixels, labels;
        try (InputStream in = Files.newInputStream(TestData.fashionMnist().resolve("t10k-images-idx3-ubyte.gz"))) {
            pixels = IdxReader.readImages("t10k-images", in).pixels();
        }
        try (InputStream in = Files.newInputStream(TestData.fashionMnist().resolve("t10k-labels-idx1-ubyte.gz"))) {
            labels = IdxReader.readLabels("t10k-labels", in, 10);
        }
        int dim = 48, n = labels.length, size = 784;
        SplittableRandom rng = new SplittableRandom(3);
        double[][] projection = new double[size][dim];
        for (double[] row : projection) for (int d = 0; d < dim; d++) row[d] = rng.nextGaussian() / Math.sqrt(size);
        float[][] x = new float[n][dim];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels[i];
            for (int d = 0; d < dim; d++) {
                double s = 0;
                for (int p = 0; p < size; p++) s += (pixels[i * size + p] & 0xff) / 255.0 * projection[p][d];
                x[i][d] = (float) Math.max(0, s);
            }
        }
        compare(split(x, y, 0, 6000), split(x, y, 6000, n), "Fashion-MNIST projected");
    }

    @Test
    void agreesWithMllibWithConstantAndBadlyScaledFeatures() {
        // overlapping classes (an optimum inside, not at infinity), a zero column, a constant column, one column
        // a thousand times larger than the others: what standardisation is for
        SplittableRandom rng = new SplittableRandom(4);
        int classes = 6, dim = 24, n = 5000;
        double[][] centres = new double[classes][dim];
        for (double[] c : centres) for (int d = 0; d < dim; d++) c[d] = rng.nextGaussian();
        float[][] x = new float[n][dim];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(classes);
            for (int d = 0; d < dim; d++) x[i][d] = (float) (centres[y[i]][d] + 1.5 * rng.nextGaussian());
            x[i][3] = 0;
            x[i][7] = 3.1f;
            x[i][11] *= 1000;
        }
        compare(split(x, y, 0, 3000), split(x, y, 3000, n), "synthetic");
    }

    @Test
    void aSingleTrainingClassIsPredictedEverywhere() {
        float[][] x = {{1, 2}, {3, 4}, {5, 7}};
        FeatureSet train = new FeatureSet(Nd4j.create(x), new int[] {2, 2, 2});
        assertArrayEquals(new int[] {2, 2, 2}, LinearProbe.predict(train, train, EVAL));
    }

    private static void compare(FeatureSet train, FeatureSet test, String what) {
        SparkSession spark = SparkTestSession.get();
        LogisticRegressionModel mllib = LinearProbe.mllibEstimator(EVAL).fit(ProbesTest.frame(spark, train));
        double[] mllibHistory = mllib.summary().objectiveHistory();
        int[] mllibPredicted = LinearProbe.predictWithMllib(ProbesTest.frame(spark, train),
                ProbesTest.frame(spark, test), test.size(), EVAL);
        MultinomialLogisticRegression.Model driver = MultinomialLogisticRegression.fit(train, EVAL.probeMaxIter(),
                EVAL.probeRegParam());
        int[] driverPredicted = driver.predict(test.features());

        int same = 0;
        for (int i = 0; i < test.size(); i++) if (driverPredicted[i] == mllibPredicted[i]) same++;
        double[][] mllibCoef = coefficients(mllib);
        double[][] driverCoef = driver.coefficients().toDoubleMatrix();
        double maxCoef = 0, maxDiff = 0;
        for (int f = 0; f < driverCoef.length; f++) {
            for (int c = 0; c < driverCoef[f].length; c++) {
                maxCoef = Math.max(maxCoef, Math.abs(mllibCoef[f][c]));
                maxDiff = Math.max(maxDiff, Math.abs(mllibCoef[f][c] - driverCoef[f][c]));
            }
        }
        double[] driverHistory = driver.fit().history();
        int early = Math.min(10, Math.min(driverHistory.length, mllibHistory.length));
        double earlyDiff = 0;
        for (int i = 0; i < early; i++) {
            earlyDiff = Math.max(earlyDiff, Math.abs(driverHistory[i] - mllibHistory[i]) / Math.abs(mllibHistory[i]));
        }
        double mllibFinal = mllibHistory[mllibHistory.length - 1], driverFinal = driver.fit().value();
        System.out.printf(Locale.ROOT, "%s: %d / %d predictions identical; coefficients: largest %.4g, largest "
                        + "difference %.3g; objective after %d iterations (MLlib %d): %.12f (MLlib %.12f); first %d "
                        + "values within %.2g%n", what, same, test.size(), maxCoef, maxDiff, driver.fit().iterations(),
                mllibHistory.length - 1, driverFinal, mllibFinal, early, earlyDiff);
        assertTrue(same >= 0.999 * test.size(), what + ": identical predictions " + same + " / " + test.size());
        assertTrue(maxDiff <= 1e-3 * maxCoef, what + ": coefficients differ by " + maxDiff + " of " + maxCoef);
        assertTrue(earlyDiff <= 1e-12, what + ": the first objective values differ by " + earlyDiff);
        if (driver.fit().reason().equals("max iterations reached")) {
            // stopped before converging: where each ends is down to rounding, as for MLlib over partitionings
            assertTrue(Math.abs(driverFinal - mllibFinal) <= 1e-8 * Math.abs(mllibFinal),
                    what + ": final objective " + driverFinal + ", MLlib's " + mllibFinal);
        } else {
            assertTrue(driverFinal <= mllibFinal + 1e-12 * Math.abs(mllibFinal),
                    what + ": final objective " + driverFinal + " above MLlib's " + mllibFinal);
        }
        assertEquals(mllib.interceptVector().size(), driver.intercepts().length);
    }

    /** MLlib's coefficient matrix as [feature][class]. */
    private static double[][] coefficients(LogisticRegressionModel model) {
        var m = model.coefficientMatrix();
        double[][] out = new double[m.numCols()][m.numRows()];
        for (int c = 0; c < m.numRows(); c++) for (int f = 0; f < m.numCols(); f++) out[f][c] = m.apply(c, f);
        return out;
    }

    private static FeatureSet split(float[][] x, int[] y, int from, int to) {
        float[][] rows = new float[to - from][];
        int[] labels = new int[to - from];
        for (int i = from; i < to; i++) {
            rows[i - from] = x[i];
            labels[i - from] = y[i];
        }
        return new FeatureSet(Nd4j.create(rows), labels);
    }
}
