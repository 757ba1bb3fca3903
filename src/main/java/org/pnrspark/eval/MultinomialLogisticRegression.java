package org.pnrspark.eval;

import org.apache.spark.ml.classification.LogisticRegression;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.pnrspark.util.BlasThreads;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The fast linear probe fitted on the driver: pnr-spark's own implementation of the objective Spark MLlib's
 * LogisticRegression fits with family multinomial, an intercept, standardisation and an L2 penalty (Spark 3.5,
 * docs/reference.md §8.2), without a Spark job per iteration.
 *
 * <p>As MLlib: each feature is scaled by 1 / its sample standard deviation (0 for a constant feature) and, as the
 * intercepts are not penalised, centred on its mean; the objective is the mean softmax cross-entropy plus
 * regParam / 2 · |W|² on the standardised coefficients, minimised by L-BFGS ({@link Lbfgs}: Breeze's, memory 10,
 * MLlib's tolerance) from zero coefficients and intercepts log(1 + class count), centred; the solution is mapped back
 * to the raw features (coefficients / std, intercepts without the centring, then centred over the classes), and
 * the prediction is the class of the largest margin (the first of equal ones). The number of classes is the largest
 * training label + 1; a single training class is predicted everywhere.
 */
final class MultinomialLogisticRegression {
    /** MLlib's L-BFGS memory ({@code new BreezeLBFGS(maxIter, 10, tol)}). */
    static final int LBFGS_MEMORY = 10;
    /** MLlib's default convergence tolerance, read from MLlib itself. */
    static final double TOLERANCE = new LogisticRegression().getTol();
    /**
     * Rows per part of the objective's pass (Fashion-MNIST's 60,000 training images: 4 parts): fixed, so that its
     * sums do not depend on the machine's core count.
     */
    static final int ROWS_PER_PART = 16384;

    private MultinomialLogisticRegression() {}

    /**
     * A fitted probe on the raw features.
     *
     * @param coefficients [features, classes]
     * @param fit          the optimisation, in the standardised space (its values are the objective's)
     */
    record Model(INDArray coefficients, double[] intercepts, Lbfgs.Result fit) {
        /** The class with the largest margin for every row of {@code features} (the first of equal margins). */
        int[] predict(INDArray features) {
            int classes = intercepts.length;
            INDArray margins = features.castTo(DataType.DOUBLE).mmul(coefficients)
                    .addiRowVector(Nd4j.createFromArray(intercepts));
            double[] m = margins.data().asDouble();
            int[] predicted = new int[(int) features.size(0)];
            for (int i = 0; i < predicted.length; i++) {
                int best = 0;
                for (int c = 1; c < classes; c++) if (m[i * classes + c] > m[i * classes + best]) best = c;
                predicted[i] = best;
            }
            return predicted;
        }
    }

    static Model fit(FeatureSet train, int maxIter, double regParam) {
        int dim = train.dim();
        int[] labels = train.labels();
        int classes = 0;
        for (int y : labels) classes = Math.max(classes, y + 1);
        double[] counts = new double[classes];
        for (int y : labels) counts[y]++;
        INDArray coefficients = Nd4j.zeros(DataType.DOUBLE, dim, classes);
        double[] intercepts = new double[classes];
        int present = 0, only = 0;
        for (int c = 0; c < classes; c++) {
            if (counts[c] > 0) {
                present++;
                only = c;
            }
        }
        if (present == 1) {
            // MLlib trains nothing either: zero coefficients, an infinite intercept for the one class
            intercepts[only] = Double.POSITIVE_INFINITY;
            return new Model(coefficients, intercepts, null);
        }
        Standardised x = Standardised.of(train.features());
        double[] init = new double[(dim + 1) * classes];
        double meanLog = 0;
        for (double count : counts) meanLog += Math.log1p(count) / classes;
        for (int c = 0; c < classes; c++) init[dim * classes + c] = Math.log1p(counts[c]) - meanLog;
        Lbfgs.Result fit;
        try (BlasThreads blas = BlasThreads.single()) {
            fit = new Lbfgs(maxIter, LBFGS_MEMORY, TOLERANCE).minimize(
                    new Objective(x.values(), labels, classes, regParam), init);
        }
        // back to the raw features: the centring moves into the intercepts, the scaling into the coefficients
        double[] w = fit.x(), mean = x.mean(), std = x.std();
        double[][] coef = new double[dim][classes];
        for (int c = 0; c < classes; c++) {
            double shift = 0;
            for (int f = 0; f < dim; f++) if (std[f] != 0) shift += w[f * classes + c] * (1 / std[f] * mean[f]);
            intercepts[c] = w[dim * classes + c] - shift;
        }
        for (int f = 0; f < dim; f++) {
            for (int c = 0; c < classes; c++) coef[f][c] = std[f] != 0 ? w[f * classes + c] / std[f] : 0;
            if (regParam == 0) {
                // without a penalty the classes' coefficients are defined up to a shared constant: MLlib centres them
                double centre = 0;
                for (int c = 0; c < classes; c++) centre += coef[f][c] / classes;
                for (int c = 0; c < classes; c++) coef[f][c] -= centre;
            }
        }
        double interceptMean = 0;
        for (double b : intercepts) interceptMean += b / classes;
        for (int c = 0; c < classes; c++) intercepts[c] -= interceptMean;
        return new Model(Nd4j.createFromArray(coef), intercepts, fit);
    }

    /**
     * Features standardised as MLlib does: each column centred on its mean and divided by its sample standard
     * deviation (n − 1), or all 0 when the column is constant (std exactly 0, as MLlib's running statistics give).
     * The statistics in Java, two passes over the float32 rows (ND4J's reductions along the columns took ten times
     * as long); the standardised copy by ND4J.
     */
    record Standardised(INDArray values, double[] mean, double[] std) {
        static Standardised of(INDArray features) {
            INDArray f = features.ordering() == 'c' && !features.isView() && features.dataType() == DataType.FLOAT
                    ? features : features.castTo(DataType.FLOAT).dup('c');
            int n = (int) f.size(0), dim = (int) f.size(1);
            FloatBuffer raw = f.data().asNioFloat();
            float[] row = new float[dim];
            double[] mean = new double[dim], min = new double[dim], max = new double[dim];
            Arrays.fill(min, Double.POSITIVE_INFINITY);
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
            for (int i = 0; i < n; i++) {
                raw.get(i * dim, row, 0, dim);
                for (int d = 0; d < dim; d++) {
                    mean[d] += row[d];
                    if (row[d] < min[d]) min[d] = row[d];
                    if (row[d] > max[d]) max[d] = row[d];
                }
            }
            for (int d = 0; d < dim; d++) mean[d] /= n;
            double[] squares = new double[dim];
            for (int i = 0; i < n; i++) {
                raw.get(i * dim, row, 0, dim);
                for (int d = 0; d < dim; d++) squares[d] += (row[d] - mean[d]) * (row[d] - mean[d]);
            }
            double[] std = new double[dim], scale = new double[dim];
            for (int d = 0; d < dim; d++) {
                std[d] = min[d] == max[d] || n < 2 ? 0 : Math.sqrt(squares[d] / (n - 1));
                scale[d] = std[d] != 0 ? 1 / std[d] : 0;
            }
            INDArray values = f.castTo(DataType.DOUBLE).subiRowVector(Nd4j.createFromArray(mean))
                    .muliRowVector(Nd4j.createFromArray(scale));
            return new Standardised(values, mean, std);
        }
    }

    /**
     * Mean softmax cross-entropy over the standardised rows plus regParam / 2 · |W|², and its gradient; the
     * parameters are laid out as MLlib's: W[feature][class] row by row, then the intercepts.
     *
     * <p>The rows are cut into parts of a fixed size, spread over the cores: per part, the margins X·W, the softmax,
     * and the gradient Xᵀ·(P − Y), into arrays allocated once; the parts' sums are added in part order, so the result
     * does not depend on the thread count. Run under {@link BlasThreads#single()}.
     */
    static final class Objective implements Lbfgs.Objective {
        private final Part[] parts;
        private final int[] labels;
        private final int classes;
        private final double regParam;
        private final int n, dim;
        private final INDArray coefficients;

        /** A part's rows and its buffers. */
        private record Part(int first, INDArray x, INDArray margins, INDArray multipliers, INDArray gradient,
                double[] m, double[] g, double[] sums) {}

        Objective(INDArray standardised, int[] labels, int classes, double regParam) {
            this.labels = labels;
            this.classes = classes;
            this.regParam = regParam;
            this.n = (int) standardised.size(0);
            this.dim = (int) standardised.size(1);
            this.coefficients = Nd4j.createUninitialized(DataType.DOUBLE, dim, classes);
            this.parts = new Part[(n + ROWS_PER_PART - 1) / ROWS_PER_PART];
            for (int p = 0; p < parts.length; p++) {
                int first = p * ROWS_PER_PART, rows = Math.min(n, first + ROWS_PER_PART) - first;
                INDArray rowsOfPart = standardised.get(NDArrayIndex.interval(first, first + rows), NDArrayIndex.all());
                parts[p] = new Part(first, rowsOfPart,
                        Nd4j.createUninitialized(DataType.DOUBLE, rows, classes),
                        Nd4j.createUninitialized(DataType.DOUBLE, rows, classes),
                        Nd4j.createUninitialized(DataType.DOUBLE, dim, classes), new double[rows * classes],
                        new double[dim * classes], new double[classes]);
            }
        }

        @Override
        public double evaluate(double[] w, double[] gradient) {
            INDArray weights = HostCopy.write(Arrays.copyOf(w, dim * classes), coefficients);
            double[] losses = new double[parts.length];
            IntStream.range(0, parts.length).parallel().forEach(p -> losses[p] = evaluate(parts[p], weights, w));
            double loss = 0;
            Arrays.fill(gradient, 0);
            for (int p = 0; p < parts.length; p++) {
                loss += losses[p];
                for (int j = 0; j < dim * classes; j++) gradient[j] += parts[p].g[j];
                for (int c = 0; c < classes; c++) gradient[dim * classes + c] += parts[p].sums[c];
            }
            double penalty = 0;
            for (int j = 0; j < gradient.length; j++) gradient[j] /= n;
            for (int j = 0; j < dim * classes; j++) {
                penalty += w[j] * w[j];
                gradient[j] += regParam * w[j];
            }
            return loss / n + 0.5 * regParam * penalty;
        }

        /** The part's loss; its Xᵀ·(P − Y) into part.g, its column sums of P − Y into part.sums. */
        private double evaluate(Part part, INDArray weights, double[] w) {
            double[] m = part.m, sums = part.sums;
            Nd4j.gemm(part.x, weights, part.margins, false, false, 1.0, 0.0);
            HostCopy.read(part.margins, m);
            Arrays.fill(sums, 0);
            double loss = 0;
            for (int i = 0; i < m.length / classes; i++) {
                int o = i * classes, label = labels[part.first + i];
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    m[o + c] += w[dim * classes + c];
                    max = Math.max(max, m[o + c]);
                }
                double labelMargin = m[o + label], sum = 0;
                for (int c = 0; c < classes; c++) {
                    double e = Math.exp(m[o + c] - max);
                    m[o + c] = e;
                    sum += e;
                }
                // −log softmax(label), without the underflow of log(exp(...))
                loss += Math.log(sum) + max - labelMargin;
                for (int c = 0; c < classes; c++) {
                    double multiplier = m[o + c] / sum - (c == label ? 1 : 0);
                    m[o + c] = multiplier;
                    sums[c] += multiplier;
                }
            }
            Nd4j.gemm(part.x, HostCopy.write(m, part.multipliers), part.gradient, true, false, 1.0, 0.0);
            HostCopy.read(part.gradient, part.g);
            return loss;
        }
    }
}
