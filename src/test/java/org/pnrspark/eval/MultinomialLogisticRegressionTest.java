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
 * the fast protocol) its objective values, coefficients and predictions agree with MLlib's. The first iterations and a
 * converged fit agree to rounding (1e-12); a fit stopped at max_iter ends where rounding takes it, as MLlib's own does
 * over 1 to 4 partitions, so a borderline image may be predicted differently (at most 0.1 %). The measurements:
 * docs/reference.md §8.2.
 */
class MultinomialLogisticRegressionTest {
    private static final JobConfig.Eval EVAL = ConfigLoader.load(List.of(), List.of()).eval();

    @Test
    void theObjectiveOverSeveralPartsIsTheSoftmaxLossAndItsGradient() {
        // more rows than one part holds: three parts, the last a short one, summed as one pass over all rows would
        int n = 2 * MultinomialLogisticRegression.ROWS_PER_PART + 1234, dim = 5, classes = 4;
        double reg = 0.01;
        SplittableRandom random = new SplittableRandom(3);
        double[][] x = new double[n][dim];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) x[i][d] = random.nextGaussian();
            labels[i] = random.nextInt(classes);
        }
        double[] w = new double[(dim + 1) * classes];
        for (int j = 0; j < w.length; j++) w[j] = 0.3 * random.nextGaussian();
        var objective = new MultinomialLogisticRegression.Objective(Nd4j.createFromArray(x), labels, classes, reg);
        double[] gradient = new double[w.length];
        double value = objective.evaluate(w, gradient);

        // the same sums, row by row in one loop
        double loss = 0;
        double[] expected = new double[w.length];
        for (int i = 0; i < n; i++) {
            double[] m = new double[classes];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int c = 0; c < classes; c++) {
                m[c] = w[dim * classes + c];
                for (int d = 0; d < dim; d++) m[c] += x[i][d] * w[d * classes + c];
                max = Math.max(max, m[c]);
            }
            for (int c = 0; c < classes; c++) sum += Math.exp(m[c] - max);
            loss += Math.log(sum) + max - m[labels[i]];
            for (int c = 0; c < classes; c++) {
                double residual = Math.exp(m[c] - max) / sum - (c == labels[i] ? 1 : 0);
                for (int d = 0; d < dim; d++) expected[d * classes + c] += residual * x[i][d] / n;
                expected[dim * classes + c] += residual / n;
            }
        }
        double penalty = 0;
        for (int j = 0; j < dim * classes; j++) {
            penalty += w[j] * w[j];
            expected[j] += reg * w[j];
        }
        assertEquals(loss / n + 0.5 * reg * penalty, value, 1e-12);
        assertArrayEquals(expected, gradient, 1e-12);
        // and the gradient is the value's: central differences
        for (int j : new int[] {0, 7, dim * classes - 1, dim * classes + 2}) {
            double[] up = w.clone(), down = w.clone();
            up[j] += 1e-5;
            down[j] -= 1e-5;
            double slope = (objective.evaluate(up, new double[w.length]) - objective.evaluate(down, new double[w.length]))
                    / 2e-5;
            assertEquals(slope, gradient[j], 1e-7, "parameter " + j);
        }
    }

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
